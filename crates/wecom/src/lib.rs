//! WeCom (企业微信) meeting API client (work in progress).
