//! What a savings group does with its money beyond members' deposits: remittances, transfers
//! between its own accounts (sending funds home), alternative investments, distributions of
//! surplus, and paying out a member who leaves. Each is recorded in the treasurer's words; the
//! store writes the balanced transaction from the group's chart of accounts.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::error::{LedgerError, Rule};
use super::member::{Channel, MemberRecord, MemberStatus};
use super::model::AccountRef;
use super::money::{self, Currency};

/// Parses an amount for a field whose currency is known only to the store.
pub fn positive_amount(text: &str, currency: Currency, pointer: &str) -> Result<i64, LedgerError> {
    money::parse_positive_amount(text, currency).map_err(|e| amount_refusal(e, pointer))
}

/// Checks an amount at `pointer` as far as it can be before its currency is known (see
/// [`money::check_amount_text`]), refusing it as [`positive_amount`] would.
pub fn amount_text(text: &str, positive: bool, pointer: &str) -> Result<(), LedgerError> {
    money::check_amount_text(text, positive).map_err(|e| amount_refusal(e, pointer))
}

fn amount_refusal(error: money::AmountError, pointer: &str) -> LedgerError {
    match error {
        money::AmountError::NotPositive => LedgerError::rule(
            Rule::NonPositiveAmount,
            Some(pointer.into()),
            "the amount must be greater than zero",
        ),
        e => LedgerError::invalid(pointer, format!("amount {e}")),
    }
}

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

text_enum!(
    /// Where a group stands with the network: provisional until accredited.
    GroupStatus { Provisional => "provisional", Accredited => "accredited", Suspended => "suspended", Closed => "closed" }
);

text_enum!(
    /// How a distribution weighs members: savings balance on a date, capital, or equal shares.
    Basis { Savings => "savings", Capital => "capital", Equal => "equal" }
);

text_enum!(
    /// Where each member's share of a distribution goes.
    PayTo { Payable => "payable", Savings => "savings", Capital => "capital" }
);

text_enum!(
    InvestmentKind {
        Cooperative => "cooperative",
        Enterprise => "enterprise",
        Livelihood => "livelihood",
        Land => "land",
        Deposit => "deposit",
        Other => "other",
    }
);

text_enum!(
    InvestmentStatus { Active => "active", Exited => "exited", WrittenOff => "written_off" }
);

text_enum!(
    InvestmentEventKind {
        Disbursement => "disbursement",
        Income => "income",
        CapitalReturned => "capital_returned",
        WriteDown => "write_down",
    }
);

text_enum!(
    /// How a remittance was sent.
    RemittanceChannel {
        Bank => "bank",
        MoneyTransferOperator => "money_transfer_operator",
        MobileWallet => "mobile_wallet",
        Post => "post",
    }
);

text_enum!(
    /// What the money received is used for.
    Purpose {
        FamilySupport => "family_support",
        Education => "education",
        Health => "health",
        GroupSavings => "group_savings",
        Investment => "investment",
        Debt => "debt",
        Other => "other",
    }
);

/// The group's status, its dates, and how it shares out surplus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupProfile {
    pub status: GroupStatus,
    pub status_on: Option<NaiveDate>,
    pub accredited_on: Option<NaiveDate>,
    pub distribution_basis: Basis,
    /// Where the group meets: "today" for the group is the date there.
    pub time_zone: super::dates::Tz,
}

#[derive(Debug, Clone, Default)]
pub struct GroupUpdate {
    pub status: Option<(GroupStatus, NaiveDate)>,
    pub distribution_basis: Option<Basis>,
    pub time_zone: Option<super::dates::Tz>,
}

impl GroupStatus {
    /// provisional → accredited → suspended ⇄ accredited; any but closed → closed (final).
    pub fn may_become(self, next: GroupStatus) -> bool {
        use GroupStatus::*;
        matches!(
            (self, next),
            (Provisional, Accredited)
                | (Accredited, Suspended)
                | (Suspended, Accredited)
                | (Provisional | Accredited | Suspended, Closed)
        )
    }
}

mod chart;
mod investments;
mod payouts;
mod remittances;
mod transit;

pub use chart::*;
pub use investments::*;
pub use payouts::*;
pub use remittances::*;
pub use transit::*;

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use uuid::Uuid;

    use super::*;

    fn details(
        send: i64,
        receive: i64,
        fee: i64,
        applied: &str,
        mid: Option<&str>,
    ) -> RemittanceDetails {
        RemittanceDetails {
            member_id: Uuid::nil(),
            send_amount_minor: send,
            send_currency: Currency::parse("HKD").unwrap(),
            fee_minor: fee,
            receive_amount_minor: receive,
            receive_currency: Currency::parse("PHP").unwrap(),
            applied_rate: applied.parse().unwrap(),
            rate_derived: false,
            mid_market_rate: mid.map(|m| m.parse().unwrap()),
            rate_source: None,
            provider: "p".into(),
            channel: RemittanceChannel::MoneyTransferOperator,
            send_country: "HK".into(),
            receive_country: "PH".into(),
            uses: vec![],
            booked_on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        }
    }

    #[test]
    fn cost_is_fee_plus_fx_margin_as_a_percentage_of_the_send_amount() {
        // HKD 1,000 at 7.00 where mid is 7.20, fee HKD 30:
        // margin = 0.20 / 7.20 × 1000 = 27.78, total 57.78 = 5.78 %.
        let d = details(100_000, 700_000, 3_000, "7.00", Some("7.20"));
        let cost = d.cost();
        assert_eq!(cost.fx_margin, Some("27.78".parse().unwrap()));
        assert_eq!(cost.total, "57.78".parse::<Decimal>().unwrap());
        assert_eq!(cost.percent, "5.78".parse::<Decimal>().unwrap());
    }

    #[test]
    fn without_a_mid_market_rate_the_cost_is_the_fee() {
        let d = details(100_000, 700_000, 2_500, "7.00", None);
        let cost = d.cost();
        assert_eq!(cost.fx_margin, None);
        assert_eq!(cost.percent, "2.50".parse::<Decimal>().unwrap());
    }

    #[test]
    fn rates_are_derived_and_amounts_converted_back_exactly() {
        let hkd = Currency::parse("HKD").unwrap();
        let php = Currency::parse("PHP").unwrap();
        assert_eq!(
            derived_rate(500_000, hkd, 3_500_000, php),
            "7".parse::<Decimal>().unwrap()
        );
        let d = details(300, 1_000, 0, "3.3333333333", None);
        // 1.00 PHP of 10.00 received for 3.00 HKD is 0.30 HKD; 0.05 PHP is 0.015 → 0.02 (even).
        assert_eq!(back_convert(100, &d), Some(30));
        assert_eq!(back_convert(5, &d), Some(2));
        assert_eq!(back_convert(15, &d), Some(4));
    }

    #[test]
    fn a_rate_far_from_the_amounts_or_a_negative_cost_is_refused() {
        // 9.9 given where HKD 1,000 bought PHP 7,000.
        let refused = details(100_000, 700_000, 2_000, "9.9", Some("7.10")).terms();
        assert!(!refused.rate_agrees());
        let fields = ConversionFields {
            send: "/send_amount",
            receive: "/receive_amount",
            fee: "/fee",
            applied_rate: Some("/applied_rate"),
            mid_market_rate: "/mid_market_rate",
        };
        let pointers = |e: LedgerError| match e {
            LedgerError::Invalid(fields) => {
                fields.into_iter().map(|f| f.pointer).collect::<Vec<_>>()
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(
            pointers(refused.check(fields).unwrap_err()),
            ["/applied_rate", "/send_amount", "/receive_amount"]
        );
        // At 7.00 against a mid-market 6.50 the margin is −76.92 and the fee 20: cost −56.92.
        let negative = details(100_000, 700_000, 2_000, "7", Some("6.50")).terms();
        assert_eq!(
            negative.cost().unwrap().total,
            "-56.92".parse::<Decimal>().unwrap()
        );
        assert_eq!(
            pointers(negative.check(fields).unwrap_err()),
            ["/applied_rate", "/mid_market_rate", "/fee"]
        );
        assert!(
            details(100_000, 700_000, 2_000, "7", Some("7.20"))
                .terms()
                .check(fields)
                .is_ok()
        );
    }

    proptest::proptest! {
        /// Any rate, applied to any amount and rounded to the receive currency's minor unit,
        /// agrees with the amounts; and so does the rate derived from them.
        #[test]
        fn a_rate_and_the_amount_it_gives_always_agree(
            send in 1i64..=10_000_000_000,
            rate_units in 1i64..=10_000_000,
            scale in 0u32..=6,
        ) {
            let rate = Decimal::new(rate_units, scale);
            let receive = (Decimal::new(send, 2) * rate)
                .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointNearestEven);
            let mut receive = receive;
            receive.rescale(2);
            let receive_minor = i64::try_from(receive.mantissa()).unwrap();
            proptest::prop_assume!(receive_minor > 0);
            let mut d = details(send, receive_minor, 0, "1", None);
            d.applied_rate = rate;
            proptest::prop_assert!(d.terms().rate_agrees());
            let hkd = Currency::parse("HKD").unwrap();
            let php = Currency::parse("PHP").unwrap();
            d.applied_rate = derived_rate(send, hkd, receive_minor, php);
            proptest::prop_assert!(d.terms().rate_agrees());
        }
    }

    #[test]
    fn group_status_moves_forward_and_closed_is_final() {
        use GroupStatus::*;
        assert!(Provisional.may_become(Accredited));
        assert!(Accredited.may_become(Suspended));
        assert!(Suspended.may_become(Accredited));
        assert!(Suspended.may_become(Closed));
        assert!(!Closed.may_become(Accredited));
        assert!(!Accredited.may_become(Provisional));
        assert!(!Provisional.may_become(Suspended));
    }

    #[test]
    fn return_on_investment() {
        let f = InvestmentFigures {
            disbursed: 10_000,
            income: 1_500,
            capital_returned: 2_000,
            written_down: 1_000,
            book_value: 7_000,
        };
        assert_eq!(f.net_return(), 500);
        assert_eq!(f.roi_percent(), Some("5.00".parse().unwrap()));
        assert_eq!(InvestmentFigures::default().roi_percent(), None);
    }
}
