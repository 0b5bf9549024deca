use portico_domain::{RoleError, StaffRole};

#[test]
fn every_role_parses_back_from_its_name() {
    for role in StaffRole::ALL {
        assert_eq!(StaffRole::parse(role.as_str()), Ok(*role));
    }
    assert_eq!(StaffRole::ALL.len(), 3);
}

#[test]
fn role_names_and_labels() {
    assert_eq!(StaffRole::Admin.as_str(), "admin");
    assert_eq!(StaffRole::Admin.label(), "Practice admin");
    assert_eq!(StaffRole::Provider.label(), "Provider");
    assert_eq!(StaffRole::parse(" Staff "), Ok(StaffRole::Staff));
}

#[test]
fn unknown_role_is_refused() {
    assert_eq!(StaffRole::parse("superuser"), Err(RoleError::Unknown));
    assert_eq!(StaffRole::parse(""), Err(RoleError::Unknown));
}
