//! Members and their contributions and withdrawals, written once for both backends.
//! `impl_member_store!` is expanded after `impl_store!` in each backend module and uses the
//! names that expansion brings into scope (`Tx`, `DbRow`, `write_tx!`, `read_tx!`, the ledger
//! helpers such as `lock_group`, `apply_posting` and `statement_in_tx`).

macro_rules! impl_member_store {
    ($store:ty) => {
        use $crate::domain::member::{
            Channel, EventKind, Fund, Member, MemberEvent, MemberEventQuery, MemberRecord, MemberStatement,
            MemberStatus, MemberUpdate, NewMember, NewMemberEvent, Sex,
        };
        use $crate::store::MemberStore;

        fn member_from_row(row: &DbRow) -> Result<Member, TxError> {
            let sex: String = row.try_get("sex")?;
            let status: String = row.try_get("status")?;
            Ok(Member {
                id: row.try_get("id")?,
                group_id: row.try_get("group_id")?,
                name: row.try_get("name")?,
                sex: Sex::parse(&sex).ok_or_else(|| internal("stored sex"))?,
                birth_year: row.try_get("birth_year")?,
                home_country: row.try_get("home_country")?,
                host_country: row.try_get("host_country")?,
                occupation: row.try_get("occupation")?,
                contact: row.try_get("contact")?,
                joined_on: row.try_get("joined_on")?,
                status: MemberStatus::parse(&status).ok_or_else(|| internal("stored member status"))?,
                status_on: row.try_get("status_on")?,
                savings_account_id: row.try_get("savings_account_id")?,
                capital_account_id: row.try_get("capital_account_id")?,
                created_at: row.try_get("created_at")?,
            })
        }

        fn event_from_row(row: &DbRow) -> Result<MemberEvent, TxError> {
            let kind: String = row.try_get("kind")?;
            let fund: String = row.try_get("fund")?;
            let channel: String = row.try_get("channel")?;
            Ok(MemberEvent {
                id: row.try_get("id")?,
                group_id: row.try_get("group_id")?,
                member_id: row.try_get("member_id")?,
                kind: match kind.as_str() {
                    "contribution" => EventKind::Contribution,
                    "withdrawal" => EventKind::Withdrawal,
                    _ => return Err(internal("stored event kind")),
                },
                amount_minor: row.try_get("amount_minor")?,
                currency: currency_of(&row.try_get::<String, _>("currency")?)?,
                fund: Fund::parse(&fund).ok_or_else(|| internal("stored fund"))?,
                channel: Channel::parse(&channel).ok_or_else(|| internal("stored channel"))?,
                booked_on: row.try_get("booked_on")?,
                receipt_no: row.try_get("receipt_no")?,
                transaction_id: row.try_get("transaction_id")?,
                created_by: row.try_get("created_by")?,
                created_at: row.try_get("created_at")?,
            })
        }

        impl $store {
            async fn load_member(tx: &mut Tx, group_id: Uuid, member_id: Uuid) -> Result<Option<MemberRecord>, TxError> {
                let row = sqlx::query("SELECT * FROM members WHERE group_id = $1 AND id = $2")
                    .bind(group_id)
                    .bind(member_id)
                    .fetch_optional(&mut **tx)
                    .await?;
                let Some(row) = row else { return Ok(None) };
                Ok(Self::with_accounts(tx, group_id, std::slice::from_ref(&row)).await?.pop())
            }

            /// The members of a group that `rows` hold, each with its savings and capital
            /// accounts, read in one statement for all of them.
            async fn with_accounts(tx: &mut Tx, group_id: Uuid, rows: &[DbRow]) -> Result<Vec<MemberRecord>, TxError> {
                let members: Vec<Member> = rows.iter().map(member_from_row).collect::<Result<_, _>>()?;
                let refs: Vec<AccountRef> = members
                    .iter()
                    .flat_map(|m| [AccountRef::Id(m.savings_account_id), AccountRef::Id(m.capital_account_id)])
                    .collect();
                let mut accounts: std::collections::HashMap<Uuid, Account> = std::collections::HashMap::new();
                for chunk in refs.chunks($crate::store::shared::ROWS_PER_STATEMENT) {
                    for account in Self::accounts_named(tx, &[group_id], chunk.iter()).await? {
                        accounts.insert(account.id, account);
                    }
                }
                let account = |id: Uuid, what: &str| {
                    accounts.get(&id).cloned().ok_or_else(|| internal(format!("a member's {what} account is missing")))
                };
                members
                    .into_iter()
                    .map(|member| {
                        Ok(MemberRecord {
                            savings: account(member.savings_account_id, "savings")?,
                            capital: account(member.capital_account_id, "capital")?,
                            member,
                        })
                    })
                    .collect()
            }

            async fn existing_member(tx: &mut Tx, group_id: Uuid, member_id: Uuid) -> Result<MemberRecord, TxError> {
                Self::load_member(tx, group_id, member_id).await?.ok_or_else(|| LedgerError::NotFound("member").into())
            }

            /// The account with `code`, created as `kind` in `currency` if the group has none yet.
            /// An existing account of another currency or type cannot be used: a 422 on `pointer`.
            #[allow(clippy::too_many_arguments)]
            async fn open_account(
                tx: &mut Tx,
                group_id: Uuid,
                code: String,
                name: &str,
                kind: AccountType,
                currency: Currency,
                no_overdraft: bool,
                pointer: &str,
            ) -> Result<Result<Account, LedgerError>, TxError> {
                if let Some(account) = Self::find_account(tx, group_id, &AccountRef::Code(code.clone())).await? {
                    if account.currency != currency || account.kind != kind {
                        return Ok(Err(LedgerError::rule(
                            Rule::CurrencyMismatch,
                            Some(pointer.to_string()),
                            format!(
                                "the group's account {} is a {} account in {}, not a {} account in {currency}",
                                account.code,
                                account.kind.as_str(),
                                account.currency,
                                kind.as_str()
                            ),
                        )));
                    }
                    return Ok(Ok(account));
                }
                // Income and expense accounts only gather what is closed into equity later: a
                // correction booked after a period may take one below zero until that period is
                // closed, so they never refuse a posting.
                let no_overdraft = no_overdraft && !matches!(kind, AccountType::Income | AccountType::Expense);
                let request = NewAccount { code, name: name.to_string(), kind, currency, no_overdraft };
                Ok(Ok(Self::insert_account(tx, group_id, &request).await?))
            }

            async fn create_member_in_tx(
                tx: &mut Tx,
                group_id: Uuid,
                request: &NewMember,
                idempotency: &Option<Idempotency<'_, MemberRecord>>,
            ) -> Result<Result<Written<MemberRecord>, LedgerError>, TxError> {
                let group = Self::lock_group(tx, group_id).await?;
                let scope = group_id.to_string();
                if let Some(replay) = Self::claimed_response(tx, &scope, idempotency).await? {
                    return Ok(Ok(Written::Replayed(replay)));
                }
                if let Err(closed) = group.refuse_if_closed() {
                    return Self::finish(tx, &scope, idempotency, Err(closed)).await;
                }
                let id = Uuid::now_v7();
                let savings = Self::insert_account(tx, group_id, &NewAccount {
                    code: $crate::domain::member::savings_code(id),
                    name: format!("Savings of {}", request.name),
                    kind: AccountType::Liability,
                    currency: group.currency,
                    no_overdraft: true,
                })
                .await?;
                let capital = Self::insert_account(tx, group_id, &NewAccount {
                    code: $crate::domain::member::capital_code(id),
                    name: format!("Capital of {}", request.name),
                    kind: AccountType::Equity,
                    currency: group.currency,
                    no_overdraft: true,
                })
                .await?;
                let member = Member {
                    id,
                    group_id,
                    name: request.name.clone(),
                    sex: request.sex,
                    birth_year: request.birth_year,
                    home_country: request.home_country.clone(),
                    host_country: request.host_country.clone(),
                    occupation: request.occupation.clone(),
                    contact: request.contact.clone(),
                    joined_on: request.joined_on,
                    status: MemberStatus::Active,
                    status_on: None,
                    savings_account_id: savings.id,
                    capital_account_id: capital.id,
                    created_at: recorded_now(),
                };
                sqlx::query(
                    "INSERT INTO members (id, group_id, name, sex, birth_year, home_country, host_country, occupation, \
                     contact, joined_on, status, status_on, savings_account_id, capital_account_id, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
                )
                .bind(member.id)
                .bind(group_id)
                .bind(&member.name)
                .bind(member.sex.as_str())
                .bind(member.birth_year)
                .bind(&member.home_country)
                .bind(&member.host_country)
                .bind(&member.occupation)
                .bind(&member.contact)
                .bind(member.joined_on)
                .bind(member.status.as_str())
                .bind(member.status_on)
                .bind(member.savings_account_id)
                .bind(member.capital_account_id)
                .bind(member.created_at)
                .execute(&mut **tx)
                .await?;
                Self::finish(tx, &scope, idempotency, Ok(MemberRecord { member, savings, capital })).await
            }

            async fn update_member_in_tx(
                tx: &mut Tx,
                group_id: Uuid,
                member_id: Uuid,
                update: &MemberUpdate,
            ) -> Result<Result<MemberRecord, LedgerError>, TxError> {
                let group = Self::lock_group(tx, group_id).await?;
                let record = Self::existing_member(tx, group_id, member_id).await?;
                group.refuse_if_closed()?;
                let mut member = record.member;
                if let Some((status, on)) = update.status {
                    if member.status == MemberStatus::Exited {
                        return Err(LedgerError::conflict(
                            Conflict::MemberExited,
                            "the member has exited the group; their status cannot change again",
                        )
                        .into());
                    }
                    member.status = status;
                    member.status_on = Some(on);
                }
                if let Some(occupation) = &update.occupation {
                    member.occupation = occupation.clone();
                }
                if let Some(contact) = &update.contact {
                    member.contact = contact.clone();
                }
                sqlx::query(
                    "UPDATE members SET occupation = $1, contact = $2, status = $3, status_on = $4 \
                     WHERE group_id = $5 AND id = $6",
                )
                .bind(&member.occupation)
                .bind(&member.contact)
                .bind(member.status.as_str())
                .bind(member.status_on)
                .bind(group_id)
                .bind(member_id)
                .execute(&mut **tx)
                .await?;
                Ok(Ok(Self::existing_member(tx, group_id, member_id).await?))
            }

            /// Checks a contribution or withdrawal and writes it with its balanced transaction.
            async fn member_event_in_tx(
                tx: &mut Tx,
                group_id: Uuid,
                request: &NewMemberEvent,
                idempotency: &Option<Idempotency<'_, MemberEvent>>,
            ) -> Result<Result<Written<MemberEvent>, LedgerError>, TxError> {
                let mut group = Self::lock_group(tx, group_id).await?;
                let scope = group_id.to_string();
                if let Some(replay) = Self::claimed_response(tx, &scope, idempotency).await? {
                    return Ok(Ok(Written::Replayed(replay)));
                }
                if let Err(closed) = group.refuse_if_closed() {
                    return Self::finish(tx, &scope, idempotency, Err(closed)).await;
                }
                // The outcome may open standard accounts before a rule refuses the posting; a
                // refusal must leave nothing behind but its remembered answer, so the attempt
                // runs inside a savepoint that a refusal rolls back.
                sqlx::query("SAVEPOINT member_event").execute(&mut **tx).await?;
                let outcome = Self::member_event_outcome(tx, &mut group, request).await?;
                let undo = if outcome.is_ok() {
                    "RELEASE SAVEPOINT member_event"
                } else {
                    "ROLLBACK TO SAVEPOINT member_event"
                };
                sqlx::query(undo).execute(&mut **tx).await?;
                Self::finish(tx, &scope, idempotency, outcome).await
            }

            async fn member_event_outcome(
                tx: &mut Tx,
                group: &mut Group,
                request: &NewMemberEvent,
            ) -> Result<Result<MemberEvent, LedgerError>, TxError> {
                let group_id = group.id;
                let Some(record) = Self::load_member(tx, group_id, request.member_id).await? else {
                    return Ok(Err(LedgerError::rule(
                        Rule::UnknownMember,
                        Some("/member_id".into()),
                        "no member of this group has this id",
                    )));
                };
                if request.kind == EventKind::Contribution && record.member.status != MemberStatus::Active {
                    return Ok(Err(LedgerError::rule(
                        Rule::MemberNotActive,
                        Some("/member_id".into()),
                        format!("the member's status is {}; contributions are taken from active members only", record.member.status.as_str()),
                    )));
                }
                let currency = request.currency.unwrap_or(group.currency);
                let member_account = match request.fund {
                    Fund::Savings => Some(&record.savings),
                    Fund::Capital => Some(&record.capital),
                    Fund::SocialFund => None,
                };
                if let Some(account) = member_account
                    && account.currency != currency
                {
                    return Ok(Err(LedgerError::rule(
                        Rule::CurrencyMismatch,
                        Some("/currency".into()),
                        format!("the member's {} account is in {}, not {currency}", request.fund.as_str(), account.currency),
                    )));
                }
                let amount_minor = match money::parse_positive_amount(&request.amount, currency) {
                    Ok(minor) => minor,
                    Err(money::AmountError::NotPositive) => {
                        return Ok(Err(LedgerError::rule(
                            Rule::NonPositiveAmount,
                            Some("/amount".into()),
                            "the amount must be greater than zero",
                        )));
                    }
                    Err(e) => return Ok(Err(LedgerError::invalid("/amount", format!("amount {e}")))),
                };
                let channel_account = match Self::open_account(
                    tx,
                    group_id,
                    request.channel.asset_code(currency),
                    &format!("{} ({currency})", request.channel.as_str()),
                    AccountType::Asset,
                    currency,
                    true,
                    "/channel",
                )
                .await?
                {
                    Ok(account) => account,
                    Err(e) => return Ok(Err(e)),
                };
                let fund_account = match member_account {
                    Some(account) => account.clone(),
                    None => match Self::open_account(
                        tx,
                        group_id,
                        $crate::domain::member::social_fund_code(currency),
                        &format!("Social fund ({currency})"),
                        AccountType::Liability,
                        currency,
                        true,
                        "/fund",
                    )
                    .await?
                    {
                        Ok(account) => account,
                        Err(e) => return Ok(Err(e)),
                    },
                };
                let state = |a: &Account| AccountState {
                    id: a.id,
                    code: a.code.clone(),
                    kind: a.kind,
                    currency: a.currency,
                    no_overdraft: a.no_overdraft,
                    debits_minor: a.debits_minor,
                    credits_minor: a.credits_minor,
                };
                // The member's fund first: when a withdrawal asks for more than the member has,
                // that is the overdraft to report, before any shortage in the cash box.
                let accounts = [state(&fund_account), state(&channel_account)];
                let (fund, channel) = (0, 1);
                // Money in: the channel's asset grows, the member's fund grows. Money out: back.
                let lines = match request.kind {
                    EventKind::Contribution => [
                        Line { account: channel, direction: Direction::Debit, amount_minor },
                        Line { account: fund, direction: Direction::Credit, amount_minor },
                    ],
                    EventKind::Withdrawal => [
                        Line { account: fund, direction: Direction::Debit, amount_minor },
                        Line { account: channel, direction: Direction::Credit, amount_minor },
                    ],
                };
                let event_id = Uuid::now_v7();
                let metadata = serde_json::json!({"event": request.kind.as_str(), "event_id": event_id.to_string()});
                let description = match request.kind {
                    EventKind::Contribution => format!("{} contributes to {} ({})", record.member.name, request.fund.as_str(), request.channel.as_str()),
                    EventKind::Withdrawal => format!("{} withdraws from savings ({})", record.member.name, request.channel.as_str()),
                };
                let posting = Posting {
                    booked_on: request.booked_on,
                    description: &description,
                    metadata: &metadata,
                    lines: &lines,
                    accounts: &accounts,
                    reverses: None,
                    created_by: request.created_by,
                };
                let transaction = match Self::apply_posting(tx, group, posting).await? {
                    Ok(t) => t,
                    Err(LedgerError::Rule { rule: Rule::Overdraft, detail, .. }) => {
                        let pointer = if detail.contains(&fund_account.code) { "/amount" } else { "/channel" };
                        return Ok(Err(LedgerError::rule(Rule::Overdraft, Some(pointer.into()), detail)));
                    }
                    Err(e) => return Ok(Err(e)),
                };
                let event = MemberEvent {
                    id: event_id,
                    group_id,
                    member_id: record.member.id,
                    kind: request.kind,
                    amount_minor,
                    currency,
                    fund: request.fund,
                    channel: request.channel,
                    booked_on: request.booked_on,
                    receipt_no: request.receipt_no.clone(),
                    transaction_id: transaction.id,
                    created_by: request.created_by,
                    created_at: transaction.recorded_at,
                };
                sqlx::query(
                    "INSERT INTO member_events (id, group_id, member_id, kind, amount_minor, currency, fund, channel, \
                     booked_on, receipt_no, transaction_id, created_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                )
                .bind(event.id)
                .bind(group_id)
                .bind(event.member_id)
                .bind(event.kind.as_str())
                .bind(event.amount_minor)
                .bind(event.currency.code())
                .bind(event.fund.as_str())
                .bind(event.channel.as_str())
                .bind(event.booked_on)
                .bind(&event.receipt_no)
                .bind(event.transaction_id)
                .bind(event.created_by)
                .bind(event.created_at)
                .execute(&mut **tx)
                .await?;
                Ok(Ok(event))
            }
        }

        #[async_trait]
        impl MemberStore for $store {
            async fn create_member(
                &self,
                group_id: Uuid,
                member: NewMember,
                idempotency: Option<Idempotency<'_, MemberRecord>>,
            ) -> StoreResult<Written<MemberRecord>> {
                write_tx!(self, |tx| Self::create_member_in_tx(&mut tx, group_id, &member, &idempotency).await)
            }

            async fn list_members(&self, group_id: Uuid, after: Option<Uuid>, limit: u32) -> StoreResult<Vec<MemberRecord>> {
                read_tx!(self, |tx| {
                    let result: Result<Vec<MemberRecord>, TxError> = async {
                        let (rows, _) = Self::rows_of_group(&mut tx, "members", group_id, after, limit).await?;
                        Self::with_accounts(&mut tx, group_id, &rows).await
                    }
                    .await;
                    result
                })
            }

            async fn get_member(&self, group_id: Uuid, member_id: Uuid) -> StoreResult<MemberRecord> {
                read_tx!(self, |tx| {
                    let result: Result<MemberRecord, TxError> = async {
                        Self::read_group(&mut tx, group_id).await?;
                        Self::existing_member(&mut tx, group_id, member_id).await
                    }
                    .await;
                    result
                })
            }

            async fn update_member(&self, group_id: Uuid, member_id: Uuid, update: MemberUpdate) -> StoreResult<MemberRecord> {
                write_tx!(self, |tx| Self::update_member_in_tx(&mut tx, group_id, member_id, &update).await)
            }

            async fn record_member_event(
                &self,
                group_id: Uuid,
                event: NewMemberEvent,
                idempotency: Option<Idempotency<'_, MemberEvent>>,
            ) -> StoreResult<Written<MemberEvent>> {
                write_tx!(self, |tx| Self::member_event_in_tx(&mut tx, group_id, &event, &idempotency).await)
            }

            async fn list_member_events(&self, group_id: Uuid, query: MemberEventQuery) -> StoreResult<Page<MemberEvent>> {
                read_tx!(self, |tx| {
                    let result: Result<Page<MemberEvent>, TxError> = async {
                        Self::read_group(&mut tx, group_id).await?;
                        let rows = sqlx::query(
                            "SELECT * FROM member_events WHERE group_id = $1 AND kind = $2 \
                             AND ($3 IS NULL OR member_id = $3) AND booked_on >= COALESCE($4, '0001-01-01') \
                             AND booked_on <= COALESCE($5, '9999-12-31') AND id > $6 ORDER BY id LIMIT $7",
                        )
                        .bind(group_id)
                        .bind(query.kind.as_str())
                        .bind(query.member_id)
                        .bind(query.from)
                        .bind(query.to)
                        .bind(query.after.unwrap_or($crate::store::shared::BEFORE_ANY_ID))
                        .bind(i64::from(query.limit) + 1)
                        .fetch_all(&mut *tx)
                        .await?;
                        let mut items = rows.iter().map(event_from_row).collect::<Result<Vec<_>, _>>()?;
                        let more = items.len() > query.limit as usize;
                        items.truncate(query.limit as usize);
                        Ok(Page { items, has_more: more })
                    }
                    .await;
                    result
                })
            }

            async fn get_member_event(&self, group_id: Uuid, kind: EventKind, event_id: Uuid) -> StoreResult<MemberEvent> {
                read_tx!(self, |tx| {
                    let result: Result<MemberEvent, TxError> = async {
                        Self::read_group(&mut tx, group_id).await?;
                        let row = sqlx::query("SELECT * FROM member_events WHERE group_id = $1 AND kind = $2 AND id = $3")
                            .bind(group_id)
                            .bind(kind.as_str())
                            .bind(event_id)
                            .fetch_optional(&mut *tx)
                            .await?
                            .ok_or(LedgerError::NotFound(kind.as_str()))?;
                        event_from_row(&row)
                    }
                    .await;
                    result
                })
            }

            async fn member_statement(
                &self,
                group_id: Uuid,
                member_id: Uuid,
                from: Option<NaiveDate>,
                to: Option<NaiveDate>,
            ) -> StoreResult<MemberStatement> {
                read_tx!(self, |tx| {
                    let result: Result<MemberStatement, TxError> = async {
                        let group = Self::read_group(&mut tx, group_id).await?;
                        let record = Self::existing_member(&mut tx, group_id, member_id).await?;
                        let savings = Self::statement_in_tx(&mut tx, group_id, &AccountRef::Id(record.savings.id), from, to).await?;
                        let capital = Self::statement_in_tx(&mut tx, group_id, &AccountRef::Id(record.capital.id), from, to).await?;
                        let holdings = Self::member_holdings_in_tx(&mut tx, &group, member_id).await?;
                        Ok(MemberStatement { record, savings, capital, holdings })
                    }
                    .await;
                    result
                })
            }
        }
    };
}

pub(crate) use impl_member_store;
