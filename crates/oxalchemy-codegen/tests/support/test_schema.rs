//! The test schema, as plain DDL per backend: foreign keys (two to the same table, one
//! with ON DELETE CASCADE), a self-referential key, a composite key, an association
//! table, a one-to-one table, nullable columns, literal and SQL defaults, an index and
//! unique columns. The generator must turn its reflection into the golden files
//! tests/golden/test_schema_{sqlite,postgres,mysql}.rs.

/// The statements creating the schema on `backend` ("sqlite", "postgres", "mysql").
pub fn ddl(backend: &str) -> Vec<String> {
    let (serial, boolean_default, timestamp) = match backend {
        "postgres" => ("id SERIAL PRIMARY KEY", "TRUE", "TIMESTAMP"),
        "mysql" => ("id INTEGER AUTO_INCREMENT PRIMARY KEY", "1", "DATETIME"),
        _ => ("id INTEGER PRIMARY KEY", "1", "TIMESTAMP"),
    };
    vec![
        format!(
            "CREATE TABLE author (
                {serial},
                name VARCHAR(50) NOT NULL,
                email VARCHAR(100) UNIQUE,
                mentor_id INTEGER,
                active BOOLEAN NOT NULL DEFAULT {boolean_default},
                joined {timestamp} NULL DEFAULT CURRENT_TIMESTAMP,
                CONSTRAINT fk_author_mentor FOREIGN KEY (mentor_id) REFERENCES author (id)
            )"
        ),
        format!(
            "CREATE TABLE post (
                {serial},
                author_id INTEGER NOT NULL,
                reviewer_id INTEGER,
                title VARCHAR(200) NOT NULL,
                body TEXT,
                type VARCHAR(20) NOT NULL DEFAULT 'article',
                score NUMERIC(10, 2),
                CONSTRAINT fk_post_author FOREIGN KEY (author_id) REFERENCES author (id) ON DELETE CASCADE,
                CONSTRAINT fk_post_reviewer FOREIGN KEY (reviewer_id) REFERENCES author (id)
            )"
        ),
        "CREATE INDEX ix_post_title ON post (title)".to_owned(),
        format!(
            "CREATE TABLE tag (
                {serial},
                name VARCHAR(30) NOT NULL UNIQUE
            )"
        ),
        "CREATE TABLE post_tag (
            post_id INTEGER NOT NULL,
            tag_id INTEGER NOT NULL,
            PRIMARY KEY (post_id, tag_id),
            CONSTRAINT fk_post_tag_post FOREIGN KEY (post_id) REFERENCES post (id),
            CONSTRAINT fk_post_tag_tag FOREIGN KEY (tag_id) REFERENCES tag (id)
        )"
        .to_owned(),
        "CREATE TABLE revision (
            post_id INTEGER NOT NULL,
            number INTEGER NOT NULL,
            note TEXT,
            PRIMARY KEY (post_id, number),
            CONSTRAINT fk_revision_post FOREIGN KEY (post_id) REFERENCES post (id)
        )"
        .to_owned(),
        "CREATE TABLE profile (
            author_id INTEGER NOT NULL PRIMARY KEY,
            bio TEXT,
            CONSTRAINT fk_profile_author FOREIGN KEY (author_id) REFERENCES author (id)
        )"
        .to_owned(),
    ]
}
