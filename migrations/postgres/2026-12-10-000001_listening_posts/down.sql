DROP TABLE heard_items;
DROP TABLE listening_feeds;
