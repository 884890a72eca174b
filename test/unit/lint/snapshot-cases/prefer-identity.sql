-- case: serial columns
CREATE TABLE a (id bigserial PRIMARY KEY, n SERIAL, s smallserial);
