//! Invitations for a load run (`portico bench seed-invitations`, bench/invitation-list.sh): many
//! rows written fast, but the rows the service writes — the invitation with its keyed code and
//! link hashes, its search terms and sort key, an event in its history — with names (accented
//! ones too), email addresses, phone numbers, providers, programs and states spread as a busy
//! practice's would be over two years. No message is queued and no audit event written: nothing
//! here happened. Never used by a request.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use portico_domain::search::fold;
use portico_store::practices::staff as staff_store;
use portico_store::{practices::providers as providers_store, programs as programs_store};

use super::*;

const FIRST: &[&str] = &[
    "Maria", "María", "José", "Emile", "Émile", "Zoë", "Ana", "Ben", "Chloé", "Dmitri", "Eva",
    "Fatima", "Grace", "Hugo", "Inès", "Jamal", "Kenji", "Lucía", "Mateo", "Nadia", "Olivia",
    "Pablo", "Quinn", "Rosa", "Sofía", "Tomás", "Uma", "Victor", "Wei", "Ximena", "Yusuf", "Zara",
    "Noah", "Liam", "Amélie", "Björn", "Ngozi", "Rahul", "Siobhan", "Tomasz",
];
const LAST: &[&str] = &[
    "Lopez",
    "López",
    "Garcia",
    "García",
    "Smith",
    "Johnson",
    "Nguyễn",
    "Müller",
    "O'Brien",
    "Okafor",
    "Kowalski",
    "Nakamura",
    "Lindqvist",
    "Castillo",
    "Brennan",
    "Dubois",
    "Rossi",
    "Silva",
    "Santos",
    "Kim",
    "Park",
    "Chen",
    "Wang",
    "Singh",
    "Patel",
    "Cohen",
    "Novak",
    "Horvat",
    "Jensen",
    "Larsen",
    "Moreau",
    "Fernández",
    "Martínez",
    "Sánchez",
    "Pérez",
    "Gómez",
    "Díaz",
    "Ramírez",
    "Torres",
    "Flores",
    "Rivera",
    "Ortiz",
    "Morales",
    "Reyes",
    "Cruz",
    "Gutiérrez",
    "Chávez",
    "Ruiz",
    "Álvarez",
    "Mendoza",
    "Castro",
    "Vargas",
    "Romero",
    "Herrera",
    "Medina",
    "Aguilar",
    "Jiménez",
    "Moreno",
    "Nowak",
    "Wiśniewski",
];
const AREAS: &[&str] = &["212", "312", "415", "617", "702", "206", "303", "404"];
const YEAR_MS: i64 = 365 * 86_400_000;

/// Writes `count` invitations for `practice_id`, 1,000 a transaction; answers how many. The same
/// `seed` writes the same people (ids, codes and hashes differ).
pub async fn seed(core: &Core, practice_id: &str, count: u64, seed: u64) -> Result<u64, CoreError> {
    let practice = practices::find(core.store(), practice_id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let staff = staff_store::list_for_practice(core.store(), practice_id).await?;
    let created_by = staff
        .first()
        .map(|s| s.id.clone())
        .ok_or(CoreError::NotFound)?;
    let providers: Vec<String> = providers_store::list_for_practice(core.store(), practice_id)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    let programs: Vec<String> = programs_store::list_for_practice(core.store(), practice_id)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    let expiry_ms = practice.invite_expiry_days * 86_400_000;
    let now = core.now().as_millis();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut written = 0;
    while written < count {
        let mut tx = core.store().begin().await?;
        for _ in 0..(count - written).min(1000) {
            let n = written;
            written += 1;
            let first = FIRST[rng.random_range(0..FIRST.len())];
            let last = LAST[rng.random_range(0..LAST.len())];
            let created_at = now - rng.random_range(0..2 * YEAR_MS);
            let expires_at = created_at + expiry_ms;
            let open = expires_at > now;
            let state = match rng.random_range(0..100) {
                0..3 => InvitationState::Locked,
                3..8 => InvitationState::Revoked,
                8..40 if open => InvitationState::Redeemed,
                8..65 if !open => InvitationState::Redeemed,
                r if r % 3 == 0 => InvitationState::Draft,
                r if r % 3 == 1 => InvitationState::Sent,
                _ => InvitationState::Delivered,
            };
            let has_email = rng.random_range(0..10) > 0;
            let email = has_email.then(|| {
                let local = fold(&format!("{first}.{last}")).replace(['\'', ' '], "");
                format!("{local}{n}@example.org")
            });
            let phone = (rng.random_range(0..10) < 8).then(|| {
                format!(
                    "+1{}{}{:04}",
                    AREAS[rng.random_range(0..AREAS.len())],
                    rng.random_range(201..=989),
                    rng.random_range(0..10_000)
                )
            });
            let pick = |list: &[String], r: u32| list.get(r as usize % list.len().max(1)).cloned();
            let secrets = draw_secrets(core.keys());
            let row = InvitationRow {
                id: new_id(),
                practice_id: practice_id.to_owned(),
                created_by: created_by.clone(),
                provider_id: pick(&providers, rng.random()),
                program_id: if rng.random_range(0..3) == 0 {
                    pick(&programs, rng.random())
                } else {
                    None
                },
                related_to: None,
                relation: Relation::Patient.as_str().to_owned(),
                first_name: first.to_owned(),
                last_name: last.to_owned(),
                birth_date: "1980-02-03".to_owned(),
                username: (!has_email).then(|| format!("bench-{n}-{seed}")),
                channels: if has_email { "email" } else { "" }.to_owned(),
                email,
                phone,
                contact_time: None,
                notes: None,
                consent_method: ConsentMethod::InApp.as_str().to_owned(),
                language: Language::En.as_str().to_owned(),
                state: state.as_str().to_owned(),
                code_hash: (state != InvitationState::Redeemed).then_some(secrets.code_hash),
                link_hash: Some(secrets.link_hash),
                failed_attempts: if state == InvitationState::Locked {
                    5
                } else {
                    0
                },
                expires_at,
                created_at,
                updated_at: created_at,
            };
            store::insert(&mut tx, &row).await?;
            search::index(&mut tx, &searchable(&row)).await?;
            store::add_event(
                &mut tx,
                &EventRow {
                    invitation_id: row.id.clone(),
                    seq: 0,
                    practice_id: practice_id.to_owned(),
                    state: state.as_str().to_owned(),
                    at: created_at,
                    actor_kind: "staff".to_owned(),
                    actor_id: Some(created_by.clone()),
                },
            )
            .await?;
        }
        tx.commit().await?;
    }
    Ok(written)
}
