//! The one body every list answers with: a page of items and, when more follow, the cursor
//! of the next page.

use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use crate::domain::model::Page;
use crate::http::query::cursor;
use crate::http::write::json_response;

#[derive(Debug, Serialize)]
pub struct ListView<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T: Serialize> ListView<T> {
    /// A list answered whole, never in pages.
    pub fn all(items: Vec<T>) -> Self {
        ListView {
            items,
            next_cursor: None,
        }
    }

    /// One page of a list, each item shown by `view`. When more follow, the cursor names the
    /// page's last item by its `position`, under the list's `tag`.
    pub fn page<R>(
        page: &Page<R>,
        tag: &str,
        position: impl Fn(&R) -> String,
        view: impl Fn(&R) -> T,
    ) -> Self {
        ListView {
            items: page.items.iter().map(view).collect(),
            next_cursor: page
                .items
                .last()
                .filter(|_| page.has_more)
                .map(|last| cursor(tag, &position(last))),
        }
    }

    /// A page read as `limit + 1` items, the one beyond `limit` telling that more follow.
    pub fn overread<R>(
        mut items: Vec<R>,
        limit: u32,
        tag: &str,
        position: impl Fn(&R) -> String,
        view: impl Fn(&R) -> T,
    ) -> Self {
        let has_more = items.len() > limit as usize;
        items.truncate(limit as usize);
        Self::page(&Page { items, has_more }, tag, position, view)
    }

    /// The list as a 200 response.
    pub fn response(&self) -> Response {
        json_response(StatusCode::OK, self)
    }
}

#[cfg(test)]
mod tests {
    use super::ListView;
    use crate::http::query::cursor;

    #[test]
    fn a_page_read_one_beyond_its_limit_names_its_last_item_as_the_next_cursor() {
        let more = ListView::overread(vec![1, 2, 3], 2, "n", |n| n.to_string(), |n| n * 10);
        assert_eq!(more.items, vec![10, 20]);
        assert_eq!(more.next_cursor, Some(cursor("n", "2")));
        let last = ListView::overread(vec![1, 2], 2, "n", |n| n.to_string(), |n| n * 10);
        assert_eq!(last.items, vec![10, 20]);
        assert_eq!(last.next_cursor, None);
        let all = ListView::all(vec!["a"]);
        assert_eq!(
            serde_json::to_string(&all).expect("json"),
            r#"{"items":["a"],"next_cursor":null}"#
        );
    }
}
