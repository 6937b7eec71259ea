//! The audit record a write carries, and what the audit layer then writes.

use super::*;

fn signed_in() -> RequestAudit {
    let slot = AuditSlot::default();
    slot.update(|info| info.user_id = Some(Uuid::now_v7()));
    RequestAudit {
        slot: Some(slot),
        client: None,
    }
}

fn recorded(audit: &RequestAudit) -> bool {
    audit.slot.as_ref().is_some_and(|slot| slot.take().recorded)
}

#[test]
fn the_audit_layer_writes_the_record_unless_the_store_says_it_committed_it() {
    let audit = signed_in();
    assert!(audit.draft().is_some());
    // Written alone, or refused before it was written: the audit layer writes the record.
    let alone: Audited<()> = Audited::unaudited(Err(LedgerError::NotFound("group")));
    assert!(audit.outcome(alone).is_err());
    assert!(!recorded(&audit));
    // Committed with the write: the audit layer writes nothing more.
    let together = Audited {
        outcome: Ok(Written::Created(())),
        audited: true,
    };
    assert!(matches!(audit.outcome(together), Ok(Written::Created(()))));
    assert!(recorded(&audit));
}

#[test]
fn an_anonymous_request_gives_its_write_no_record_to_carry() {
    let audit = RequestAudit {
        slot: Some(AuditSlot::default()),
        client: None,
    };
    assert!(audit.draft().is_none());
    assert!(!recorded(&audit));
}
