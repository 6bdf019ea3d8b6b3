//! Why a single sign-on failed, in words the person can act on. The details (the provider's
//! error codes, a library's message) go to the log; the person gets what to do next.

/// A failed sign-in through a provider.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SsoError {
    /// No configured provider has this id.
    #[error("There is no sign-in provider by that name.")]
    UnknownProvider,
    /// The provider did not answer, or answered with something that is not OpenID Connect.
    #[error("{provider}'s sign-in service is not answering right now. Try again in a few minutes{fallback}.")]
    ProviderDown {
        /// The provider's name.
        provider: String,
        /// ", or sign in with your password" when that is possible.
        fallback: String,
    },
    /// The person said no at the provider, or the provider sent an error back.
    #[error("Signing in with {provider} was cancelled{reason}. Nothing was changed; you can try again.")]
    Cancelled {
        /// The provider's name.
        provider: String,
        /// The provider's own description, when it gave one (": ...").
        reason: String,
    },
    /// The return from the provider matches no sign-in this browser started: an old or reused
    /// link, a tampered state, or cookies blocked.
    #[error("This sign-in link has expired or was already used. Start again from the sign-in page.")]
    Stale,
    /// The provider's answer failed a check (signature, issuer, audience, nonce, code).
    #[error("{provider}'s answer could not be trusted, so you were not signed in. Start again from the sign-in page; if this keeps happening, tell the site's administrators.")]
    Untrusted {
        /// The provider's name.
        provider: String,
    },
    /// The ID token's times are off by more than the allowed skew.
    #[error("{provider}'s answer is dated outside the allowed time window (expired, or from the future). Try again; if this keeps happening, the clock of this server or of {provider} is wrong: tell the site's administrators.")]
    ClockSkew {
        /// The provider's name.
        provider: String,
    },
    /// A claim the configuration needs was not released by the provider.
    #[error("{provider} did not tell us your {claim}, which this site needs to sign you in. Ask your administrator to release the `{claim}` claim to this site.")]
    ClaimMissing {
        /// The provider's name.
        provider: String,
        /// The claim's name.
        claim: String,
    },
}

impl SsoError {
    /// True when the fault lies with the provider being unreachable (a 502, not a 400).
    pub fn is_provider_down(&self) -> bool {
        matches!(self, Self::ProviderDown { .. })
    }
}
