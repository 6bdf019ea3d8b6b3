//! Guidepost full-text search (grows with the search issue).
