//! A row's first columns as a tuple, as rusqlite reads one (`TryFrom<&Row>`), so that both
//! databases hand the statements' shared readers (`runs::statements`) the same tuples.

use tokio_postgres::types::FromSql;
use tokio_postgres::Row;

/// A tuple read from a row's first columns, in order.
pub(super) trait Columns: Sized {
    /// Reads it from `row`.
    fn read(row: &Row) -> Result<Self, tokio_postgres::Error>;
}

macro_rules! columns {
    ($($column:ident $index:tt),+) => {
        impl<$($column),+> Columns for ($($column,)+)
        where
            $($column: for<'a> FromSql<'a>),+
        {
            fn read(row: &Row) -> Result<Self, tokio_postgres::Error> {
                Ok(($(row.try_get($index)?,)+))
            }
        }
    };
}

columns!(A 0, B 1, C 2, D 3, E 4, F 5);
columns!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);

/// `row`'s first columns as a tuple.
pub(super) fn columns<T: Columns>(row: &Row) -> Result<T, tokio_postgres::Error> {
    T::read(row)
}
