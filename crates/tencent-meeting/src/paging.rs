//! The last-page rule shared by the page-number lists: enrollments (§4.3) and those of
//! docs/specs/tencent-meeting.md §12 (sign-ins, real-time participants, waiting room).

use roster_core::{Page, PageToken, Result};

use crate::wire::PageNumbers;

/// A page of a page-number list, `page` being the number requested.
///
/// Stops when `page ≥ total_page`, or `current_size` is 0, or the list is empty; never asks
/// beyond `total_page`. The list may be left out only of a page that says it is empty
/// (`current_size` or `total_count` 0: the pages document it so); left out of any other, or an
/// answer without `total_page` that does not say it is empty, is no page of the list
/// ([`roster_core::ErrorKind::MalformedPage`]), never its quiet end.
pub(crate) fn numbered_page<T>(
    endpoint: &str,
    page: u32,
    items: Option<Vec<T>>,
    numbers: PageNumbers,
) -> Result<Page<T>> {
    let said_empty = numbers.current_size == Some(0) || numbers.total_count == Some(0);
    let items = match items {
        None if said_empty => Some(Vec::new()),
        other => other,
    };
    let empty = items.as_ref().is_none_or(Vec::is_empty) || numbers.current_size == Some(0);
    let has_more = match numbers.total_page {
        Some(total) => Some(i64::from(page) < total && !empty),
        None if said_empty && items.as_ref().is_some_and(Vec::is_empty) => Some(false),
        None => None,
    };
    let next = (has_more == Some(true)).then(|| PageToken::Page(page.saturating_add(1)));
    Page::from_wire(endpoint, items, has_more, next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_core::ErrorKind;

    fn n(page: i64, size: i64, count: i64, total: Option<i64>) -> PageNumbers {
        PageNumbers {
            current_page: Some(page),
            current_size: Some(size),
            total_count: Some(count),
            total_page: total,
        }
    }

    #[test]
    fn last_page_rule() {
        let p = numbered_page("x", 1, Some(vec![1, 2]), n(1, 2, 5, Some(3))).unwrap();
        assert!(p.has_more);
        assert_eq!(p.next, Some(PageToken::Page(2)));
        let p = numbered_page("x", 3, Some(vec![5]), n(3, 1, 5, Some(3))).unwrap();
        assert!(!p.has_more, "the last page");
        let p = numbered_page("x", 2, Some(Vec::<i32>::new()), n(2, 0, 5, Some(3))).unwrap();
        assert!(!p.has_more, "an empty page ends the list");
        let p = numbered_page::<i32>("x", 1, None, n(1, 0, 0, Some(0))).unwrap();
        assert!(
            p.items.is_empty() && !p.has_more,
            "absent list on an empty page"
        );
        let p = numbered_page::<i32>("x", 1, None, n(1, 0, 0, None)).unwrap();
        assert!(!p.has_more, "says it is empty");
        let e = numbered_page("x", 1, Some(vec![1]), PageNumbers::default()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::MalformedPage);
        let e = numbered_page::<i32>("x", 1, None, PageNumbers::default()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::MalformedPage, "a gateway's {{}}");
        // The list left out of a page that is not empty: not the quiet end of the list.
        let e = numbered_page::<i32>("x", 1, None, n(1, 20, 60, Some(3))).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::MalformedPage);
    }
}
