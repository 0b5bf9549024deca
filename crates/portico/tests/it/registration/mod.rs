//! Patient registration and accounts over the JSON API (the path an app takes), with the SMS
//! provider's stand-in receiving the phone codes, one file per step: the invited path from the
//! code or link (`redeem`), what an invitation link says before the birth date (`invite_link`), the details and the password rules (`details`), the phone code
//! (`phone`), terms of use (`terms`), digital consent (`consent`), the account made and signed in
//! (`complete`), self-registration with a program's sign-up code (`signup_code`), another provider
//! linked with its code (`provider_code`), coming back: sessions and password recovery
//! (`sign_in_again`) and a username texted to its phone (`forgot_username`), and the one username space of accounts without email (`username`).

mod complete;
mod consent;
mod details;
mod forgot_username;
mod invite_link;
mod phone;
mod provider_code;
mod redeem;
mod sign_in_again;
mod signup_code;
mod terms;
mod username;
