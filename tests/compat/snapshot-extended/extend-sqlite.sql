CREATE TABLE handmade (
    id integer PRIMARY KEY,
    label varchar(40) NOT NULL DEFAULT 'x',
    author integer REFERENCES authors (id) ON DELETE CASCADE ON UPDATE SET NULL,
    shape POINTZ,
    anything,
    amount decimal(10,2) DEFAULT '1.50',
    flag boolean DEFAULT 'true',
    ratio float DEFAULT 'abc',
    n numeric DEFAULT 12,
    created datetime DEFAULT CURRENT_TIMESTAMP,
    code char(3) UNIQUE,
    data json DEFAULT '{"a": [1, 2]}',
    big bigint,
    dbl double precision,
    gen integer GENERATED ALWAYS AS (big * 2) STORED,
    vgen integer AS (big + 1),
    vc varchar(20),
    q text DEFAULT 'it''s',
    nul text DEFAULT NULL,
    ub unsigned big int,
    vc2 varchar( 7 ),
    u uuid
);
CREATE INDEX handmade_label ON handmade (label);
CREATE UNIQUE INDEX handmade_big ON handmade (big);
CREATE INDEX handmade_multi ON handmade (n, dbl);
CREATE VIEW published AS SELECT id, title FROM articles WHERE status = 'published';
CREATE TABLE pairs (a integer NOT NULL, b integer NOT NULL, note text, PRIMARY KEY (a, b));
CREATE TABLE "with space" (id integer PRIMARY KEY);
CREATE TABLE nopk (x integer, y integer REFERENCES tags (id));
CREATE TABLE multi_fk (
    id integer PRIMARY KEY AUTOINCREMENT,
    a integer,
    b integer,
    FOREIGN KEY (a, b) REFERENCES pairs (a, b)
);
CREATE TABLE uuidpk (id char(36) PRIMARY KEY NOT NULL, name varchar(10));
CREATE TABLE implicit_fk (id integer PRIMARY KEY, t integer REFERENCES tags);
CREATE TABLE pages (id integer PRIMARY KEY AUTOINCREMENT NOT NULL, title varchar(255));
CREATE TABLE headings (id integer PRIMARY KEY AUTOINCREMENT NOT NULL, text varchar(255));
CREATE TABLE paragraphs (id integer PRIMARY KEY AUTOINCREMENT NOT NULL, body text);
CREATE TABLE pages_blocks (
    id integer PRIMARY KEY AUTOINCREMENT NOT NULL,
    pages_id integer REFERENCES pages (id) ON DELETE SET NULL,
    item varchar(255),
    collection varchar(255)
);
