//! Ids that say which kind of row they point at, so a question's id cannot be passed where an
//! answer's or a user's is meant. Each binds to and reads from a `BigInt` column directly, and
//! serialises as the bare number (URLs, JSON, templates).

/// Defines an id newtype over `i64` with its `BigInt` mapping.
macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Deserialize, serde::Serialize, diesel::AsExpression, diesel::FromSqlRow,
        )]
        #[serde(transparent)]
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        pub struct $name(pub i64);

        impl $name {
            /// The row id as a plain number.
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl<DB> diesel::serialize::ToSql<diesel::sql_types::BigInt, DB> for $name
        where
            DB: diesel::backend::Backend,
            i64: diesel::serialize::ToSql<diesel::sql_types::BigInt, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut diesel::serialize::Output<'b, '_, DB>) -> diesel::serialize::Result {
                self.0.to_sql(out)
            }
        }

        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::BigInt, DB> for $name
        where
            DB: diesel::backend::Backend,
            i64: diesel::deserialize::FromSql<diesel::sql_types::BigInt, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                <i64 as diesel::deserialize::FromSql<diesel::sql_types::BigInt, DB>>::from_sql(bytes).map($name)
            }
        }
    };
}

id_type! {
    /// A question's id (a row of `posts` whose kind is `question`).
    QuestionId
}

id_type! {
    /// An answer's id (a row of `posts` whose kind is `answer`).
    AnswerId
}

id_type! {
    /// A post's id where either a question or an answer will do.
    PostId
}

id_type! {
    /// A user's id.
    UserId
}

id_type! {
    /// A comment's id.
    CommentId
}

impl From<QuestionId> for PostId {
    fn from(id: QuestionId) -> Self {
        PostId(id.0)
    }
}

impl From<AnswerId> for PostId {
    fn from(id: AnswerId) -> Self {
        PostId(id.0)
    }
}
