DROP TABLE revisions;
DROP TABLE comments;
DROP TABLE votes;
DROP TABLE post_tags;
DROP TABLE tags;
DROP TABLE posts;
