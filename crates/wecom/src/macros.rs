//! Crate-internal helpers for declaring list handles.

/// The methods every list handle of this crate has (a `client` and a `query` field, the query
/// with `validate` and `body`): `validate`, `into_list`, `paginate`, `resume` and `body`.
macro_rules! list_handle_methods {
    ($handle:ty, $endpoint:ty, $body:ty) => {
        impl $handle {
            /// Checks the ids and page size without a request.
            pub fn validate(&self) -> roster_core::Result<()> {
                self.query.validate()
            }

            /// The checked list; fails before any request if the query is invalid.
            pub fn into_list(self) -> roster_core::Result<roster_core::List<$endpoint>> {
                roster_core::List::new(self.client, self.query)
            }

            /// A paginator from the first page; fails before any request if the list is
            /// invalid.
            pub fn paginate(
                self,
            ) -> roster_core::Result<roster_core::Paginator<roster_core::List<$endpoint>>> {
                Ok(self.into_list()?.paginate())
            }

            /// A paginator resuming a saved cursor; fails with
            /// [`CursorMismatch`](roster_core::ErrorKind::CursorMismatch) before any request if
            /// the cursor was saved with another page size or query.
            pub fn resume(
                self,
                cursor: &roster_core::Cursor,
            ) -> roster_core::Result<roster_core::Paginator<roster_core::List<$endpoint>>> {
                self.into_list()?.resume(cursor)
            }

            /// The request body for a page.
            pub fn body(&self, cursor: Option<String>) -> $body {
                self.query.body(cursor)
            }
        }
    };
}
