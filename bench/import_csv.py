#!/usr/bin/env python3
"""Writes a practice's CSV export of N patients for bench/import.sh: the documented columns,
every patient different (names with accents among them), an email for four in five, a mobile
phone for one in three, a medical record number each, a Spanish speaker in four; one row in a
thousand with a mistake (a date of birth that does not exist), as real exports have."""
import random
import sys

FIRST = ["Maria", "José", "Zoë", "Ana", "Ben", "Chloé", "Dmitri", "Eva", "Fatima", "Grace",
         "Hugo", "Inès", "Jamal", "Kenji", "Lucía", "Mateo", "Nadia", "Olivia", "Pablo", "Wei"]
LAST = ["Lopez", "García", "Smith", "Nguyễn", "Müller", "O'Brien", "Okafor", "Kowalski",
        "Nakamura", "Castillo", "Dubois", "Rossi", "Silva", "Kim", "Chen", "Patel", "Novak"]


def main() -> None:
    n = int(sys.argv[1])
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    out = sys.stdout
    out.write("first_name,last_name,birth_date,email,phone,external_id,language\r\n")
    for i in range(n):
        first = rng.choice(FIRST)
        last = rng.choice(LAST)
        if i % 1000 == 999:
            born = "1980-02-30"
        else:
            born = f"{rng.randint(1930, 2020)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        email = f"patient{i}@example.org" if rng.random() < 0.8 else ""
        # 555-0100 to 555-0199 are reserved for fiction in every US area code: never a real phone.
        phone = f"(202) 555-01{i % 100:02d}" if rng.random() < 0.33 else ""
        language = "es" if rng.random() < 0.25 else "en"
        name = f'"{last}"' if "'" in last else last
        out.write(f"{first}{i},{name},{born},{email},{phone},MRN-{i:07d},{language}\r\n")


if __name__ == "__main__":
    main()
