//! Quanshi (全时) open API client (work in progress).
