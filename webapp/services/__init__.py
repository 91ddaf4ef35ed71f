"""Operations that bind the domain packages to the database: one verb per function."""
