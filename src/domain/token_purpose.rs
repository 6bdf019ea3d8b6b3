//! What a single-use token lets its holder do.

use super::text_enum::text_enum;

text_enum! {
    /// What a token lets its holder do.
    pub enum TokenPurpose {
        /// Choose a password (new accounts created from the CLI, invited imported authors).
        SetPassword = "set_password",
        /// Prove ownership of an email address.
        VerifyEmail = "verify_email",
        /// Replace a forgotten password.
        ResetPassword = "reset_password",
    }
}
