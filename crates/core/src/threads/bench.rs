//! Secure threads for a load run (`portico bench seed-threads`, bench/thread-inbox.sh): many
//! rows written fast, but the rows the service writes. Patients as registration leaves them
//! (the account, its link to the practice in force, the accepted terms, the practice's search
//! terms for them), staff members of the practice, and threads between them with their
//! messages: `seq` 1, 2, 3… per thread, the thread's `message_count`, `last_message_at` and
//! both sides' unread counts and read marks consistent with the messages, the subject and every
//! body sealed as [`super::start`] and [`super::post`] seal them. No message is queued and no
//! audit event written: nothing here happened. Never used by a request.
//!
//! Shape: the first patient has [`FIRST_PATIENT_THREADS`] threads (a patient's inbox to load);
//! the first seeded staff member has [`FIRST_STAFF_SHARE`] of all threads (a busy nurse's inbox,
//! over [`super::INBOX_LIMIT`]); the other threads go to the other patients and staff members at
//! random. Every thread opens with the staff member's message; the other messages fall on the
//! threads at random (about messages ÷ threads each), written by either side.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use portico_domain::{EmailAddress, LinkSource, LinkStatus, MessageAuthor, StaffRole};
use portico_store::accounts::patients::{self as patients_store, PatientRow};
use portico_store::links::{self as links_store, LinkRow};
use portico_store::practices::staff::{self as staff_store, StaffRow};
use portico_store::practices::{self as practices_store, providers as providers_store};
use portico_store::registration::terms as terms_store;
use portico_store::threads::bench::{self as store_bench, SeedMessage, SeedThread};

use crate::links::patient_terms;
use crate::platform::secrets::Purpose;
use crate::{Core, CoreError, new_id};

/// Threads of the first patient.
pub const FIRST_PATIENT_THREADS: u64 = 50;
/// The first staff member's share of all threads, in percent.
pub const FIRST_STAFF_SHARE: u64 = 20;
/// Threads written per transaction (with all their messages).
const THREADS_PER_TX: usize = 200;
/// Patients written per transaction.
const PATIENTS_PER_TX: u64 = 500;
const DAY_MS: i64 = 86_400_000;

const FIRST: &[&str] = &[
    "Maria", "José", "Emile", "Zoë", "Ana", "Ben", "Chloé", "Dmitri", "Eva", "Fatima", "Grace",
    "Hugo", "Inès", "Jamal", "Kenji", "Lucía", "Mateo", "Nadia", "Olivia", "Pablo", "Quinn",
    "Rosa", "Sofía", "Tomás", "Uma", "Victor", "Wei", "Ximena", "Yusuf", "Zara",
];
const LAST: &[&str] = &[
    "Lopez",
    "Garcia",
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
    "Chen",
    "Singh",
    "Patel",
    "Cohen",
    "Novak",
    "Jensen",
    "Moreau",
    "Martínez",
    "Díaz",
    "Rivera",
];
const STAFF: &[&str] = &[
    "Nurse Avery Lane",
    "Dr. Priya Raman",
    "Sam Whitfield",
    "Dr. Tomas Ek",
    "Jordan Blake",
    "Nurse Mei Tan",
    "Alex Moreno",
    "Dr. Ruth Adler",
];
const SUBJECTS: &[&str] = &[
    "Blood test results",
    "Refill of your prescription",
    "Follow-up after your visit",
    "Question about the new dose",
    "Your referral to cardiology",
    "Vaccination record",
    "Insurance form",
    "Knee pain after physiotherapy",
    "Sleep diary",
    "Blood pressure readings",
    "Allergy season plan",
    "Diet and glucose log",
];
const SENTENCES: &[&str] = &[
    "Thank you for your message.",
    "Your results came back within the normal range.",
    "Please take the tablet with food, twice a day.",
    "Could you send me your readings from this week?",
    "I have been feeling a little better since Monday.",
    "The pharmacy says the refill is not ready yet.",
    "We can see you on Thursday morning if that suits you.",
    "Let us know if the swelling gets worse or you get a fever.",
    "I attached nothing, but I wrote the numbers below: 128/82, 131/85, 125/80.",
    "Dr. Raman reviewed your file and agrees with the plan.",
    "Is it fine to keep exercising while I take this?",
    "No need to fast before this one.",
    "I will be travelling next week; can we move the appointment?",
    "The referral letter has been sent; they will call you.",
];

/// What to write.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub patients: u64,
    pub threads: u64,
    pub messages: u64,
    /// Staff members to add to the practice (the threads' staff side).
    pub staff: u64,
    pub seed: u64,
}

/// What was written, and who the load signs in as.
#[derive(Debug, Clone)]
pub struct Seeded {
    /// The staff member with [`FIRST_STAFF_SHARE`] of the threads.
    pub staff_email: String,
    pub staff_threads: u64,
    /// The patient with [`FIRST_PATIENT_THREADS`] threads.
    pub patient_email: String,
    pub patient_threads: u64,
    pub patients: u64,
    pub threads: u64,
    pub messages: u64,
}

/// Writes `plan` into `practice_id`. Every staff member and patient written gets the one
/// `password` (hashed once, the hash shared: it is a load run). `progress` hears
/// (what, done, of) now and then.
pub async fn seed(
    core: &Core,
    practice_id: &str,
    plan: &Plan,
    password: &str,
    progress: &mut dyn FnMut(&str, u64, u64),
) -> Result<Seeded, CoreError> {
    if plan.patients == 0 || plan.staff == 0 || plan.threads == 0 {
        return Err(CoreError::Internal(
            "a load run needs patients, staff and threads".into(),
        ));
    }
    if plan.messages < plan.threads {
        return Err(CoreError::Internal(
            "every thread opens with a message: at least as many messages as threads".into(),
        ));
    }
    let practice = practices_store::find(core.store(), practice_id)
        .await?
        .ok_or(CoreError::NotFound)?;
    let provider_id = providers_store::list_for_practice(core.store(), practice_id)
        .await?
        .into_iter()
        .next()
        .map(|p| p.id);
    // The version in force (read from the store: `threads` may not import `registration`,
    // which opens invited conversations); a practice that never published is on version 1.
    let terms_version = terms_store::latest(core.store(), practice_id)
        .await?
        .map_or(1, |t| t.version);
    let password_hash = core.hasher().hash(password.to_owned()).await?;
    let now = core.now().as_millis();
    let mut rng = StdRng::seed_from_u64(plan.seed);
    let tag = plan.seed;

    // Staff members, as `practices::staff::create` writes them.
    let mut staff = Vec::new();
    let mut tx = core.store().begin().await?;
    for i in 0..plan.staff {
        let email = format!("staff{i}.s{tag}@bench.example");
        let key = EmailAddress::parse(&email)
            .map_err(|_| CoreError::Internal("a seeded email does not parse".into()))?
            .lookup_key();
        let row = StaffRow {
            id: new_id(),
            practice_id: practice_id.to_owned(),
            email,
            email_key: key,
            display_name: STAFF[i as usize % STAFF.len()].to_owned(),
            role: StaffRole::Staff.as_str().to_owned(),
            password_hash: password_hash.clone(),
            active: true,
            created_at: now - 400 * DAY_MS,
            updated_at: now - 400 * DAY_MS,
        };
        staff_store::insert(&mut tx, &row).await?;
        staff.push(row);
    }
    tx.commit().await?;

    // Patients, as registration's last step leaves them.
    let mut patients = Vec::with_capacity(plan.patients as usize);
    let mut done = 0;
    while done < plan.patients {
        let mut tx = core.store().begin().await?;
        for _ in 0..(plan.patients - done).min(PATIENTS_PER_TX) {
            let n = done;
            done += 1;
            let email = format!("patient{n}.s{tag}@bench.example");
            let key = EmailAddress::parse(&email)
                .map_err(|_| CoreError::Internal("a seeded email does not parse".into()))?
                .lookup_key();
            let created_at = now - 400 * DAY_MS + rng.random_range(0..30 * DAY_MS);
            let row = PatientRow {
                id: new_id(),
                email: Some(email),
                email_key: Some(key),
                username: None,
                first_name: FIRST[rng.random_range(0..FIRST.len())].to_owned(),
                last_name: LAST[rng.random_range(0..LAST.len())].to_owned(),
                birth_date: format!(
                    "{}-{:02}-{:02}",
                    rng.random_range(1940..2005),
                    rng.random_range(1..=12),
                    rng.random_range(1..=28)
                ),
                phone: format!("+1202{}{:04}", rng.random_range(201..=989), n % 10_000),
                phone_verified_at: created_at,
                password_hash: password_hash.clone(),
                created_at,
                updated_at: created_at,
            };
            patients_store::insert(&mut tx, &row).await?;
            links_store::insert_new(
                &mut tx,
                &LinkRow {
                    id: new_id(),
                    patient_id: row.id.clone(),
                    practice_id: practice_id.to_owned(),
                    provider_id: provider_id.clone(),
                    program_id: None,
                    invitation_id: None,
                    source: LinkSource::ProviderCode,
                    status: LinkStatus::Active,
                    created_at,
                    decided_at: None,
                    decided_by: None,
                    ended_at: None,
                },
            )
            .await?;
            patient_terms::index_in_practice(&mut tx, practice_id, &row.id).await?;
            terms_store::accept(
                &mut tx,
                &row.id,
                practice_id,
                terms_version,
                created_at,
                None,
            )
            .await?;
            patients.push(row.id);
        }
        tx.commit().await?;
        progress("patients", done, plan.patients);
    }

    // How many messages each thread has: one each (the staff member's opening message), the
    // rest at random.
    let threads = plan.threads as usize;
    let mut counts = vec![1_u32; threads];
    for _ in 0..plan.messages - plan.threads {
        counts[rng.random_range(0..threads)] += 1;
    }
    let first_patient_threads = FIRST_PATIENT_THREADS.min(plan.threads) as usize;
    let keys = core.keys();
    let mut written_messages = 0_u64;
    let mut staff_threads = 0_u64;
    let mut start = 0;
    while start < threads {
        let end = (start + THREADS_PER_TX).min(threads);
        let mut rows = Vec::with_capacity(end - start);
        let mut messages = Vec::new();
        for (i, &count) in counts.iter().enumerate().take(end).skip(start) {
            let patient_id = match i < first_patient_threads {
                true => patients[0].clone(),
                false if patients.len() > 1 => {
                    patients[rng.random_range(1..patients.len())].clone()
                }
                false => patients[0].clone(),
            };
            let staff_row = match rng.random_range(0..100) < FIRST_STAFF_SHARE || staff.len() == 1 {
                true => &staff[0],
                false => &staff[rng.random_range(1..staff.len())],
            };
            if staff_row.id == staff[0].id {
                staff_threads += 1;
            }
            let thread_id = new_id();
            // Started within the last year; the messages follow over up to 30 days.
            let created_at = now - rng.random_range(DAY_MS..365 * DAY_MS);
            let span = (now - created_at).min(30 * DAY_MS);
            let count = i64::from(count);
            let mut times: Vec<i64> = (1..count)
                .map(|_| created_at + rng.random_range(0..span))
                .collect();
            times.sort_unstable();
            times.insert(0, created_at);
            // Who wrote each message: the staff member opens the thread.
            let authors: Vec<MessageAuthor> = (1..=count)
                .map(|seq| match seq == 1 || rng.random_range(0..2) == 0 {
                    true => MessageAuthor::Staff,
                    false => MessageAuthor::Patient,
                })
                .collect();
            let last_by = |who: MessageAuthor| {
                (1_i64..)
                    .zip(&authors)
                    .filter(|(_, a)| **a == who)
                    .map(|(seq, _)| seq)
                    .last()
                    .unwrap_or(0)
            };
            // Where each side stopped reading: most threads are read to their end, and a side
            // has always read up to its own last message (posting shows the thread again).
            let staff_read_seq = match rng.random_range(0..10) {
                0..7 => count,
                _ => rng.random_range(0..=count),
            }
            .max(last_by(MessageAuthor::Staff));
            let patient_read_seq = match rng.random_range(0..10) {
                0..6 => count,
                _ => rng.random_range(0..=count),
            }
            .max(last_by(MessageAuthor::Patient));
            let (mut staff_unread, mut patient_unread) = (0, 0);
            for ((seq, &at), &author) in (1_i64..).zip(&times).zip(&authors) {
                let author_id = match author {
                    MessageAuthor::Staff => {
                        if seq > patient_read_seq {
                            patient_unread += 1;
                        }
                        staff_row.id.clone()
                    }
                    _ => {
                        if seq > staff_read_seq {
                            staff_unread += 1;
                        }
                        patient_id.clone()
                    }
                };
                let words = rng.random_range(1..=4);
                let body = (0..words)
                    .map(|_| SENTENCES[rng.random_range(0..SENTENCES.len())])
                    .collect::<Vec<_>>()
                    .join(" ");
                // Each body sealed on its own, as `post` does (a fresh nonce each: a million
                // seals take seconds, so no pool of shared sealed strings is needed).
                messages.push(SeedMessage {
                    id: new_id(),
                    thread_id: thread_id.clone(),
                    author_kind: author.as_str(),
                    author_id,
                    body_sealed: keys.seal(Purpose::ThreadText, &body),
                    seq,
                    created_at: at,
                });
            }
            let last_message_at = *times.last().unwrap_or(&created_at);
            let staff_read_at = (staff_read_seq > 0).then(|| times[staff_read_seq as usize - 1]);
            let subject = SUBJECTS[rng.random_range(0..SUBJECTS.len())];
            rows.push(SeedThread {
                id: thread_id,
                practice_id: practice.id.clone(),
                staff_id: staff_row.id.clone(),
                patient_id,
                subject_sealed: keys.seal(Purpose::ThreadText, subject),
                last_message_at,
                staff_unread,
                patient_unread,
                staff_read_at,
                message_count: count,
                staff_read_seq,
                created_at,
            });
        }
        let mut tx = core.store().begin().await?;
        store_bench::insert_threads(&mut tx, &rows).await?;
        store_bench::insert_messages(&mut tx, &messages).await?;
        tx.commit().await?;
        written_messages += messages.len() as u64;
        start = end;
        progress("threads", end as u64, plan.threads);
    }
    Ok(Seeded {
        staff_email: staff[0].email.clone(),
        staff_threads,
        patient_email: format!("patient0.s{tag}@bench.example"),
        patient_threads: first_patient_threads as u64,
        patients: plan.patients,
        threads: plan.threads,
        messages: written_messages,
    })
}
