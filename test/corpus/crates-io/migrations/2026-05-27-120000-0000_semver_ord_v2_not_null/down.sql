alter table versions
    alter column semver_ord_v2 drop not null;
