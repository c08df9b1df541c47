package io.sqlqueue.dialect;

import java.sql.DatabaseMetaData;
import java.util.Locale;

import javax.sql.DataSource;

import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.jdbc.support.MetaDataAccessException;

/** Picks the {@link Dialect} for a {@link DataSource} from its {@link DatabaseMetaData}. */
public final class Dialects {

	private Dialects() {
	}

	/**
	 * The dialect for {@code dataSource}'s database.
	 * @throws IllegalStateException naming the database when it is not supported or not reachable
	 */
	public static Dialect detect(DataSource dataSource, String tablePrefix) {
		String product;
		try {
			product = JdbcUtils.extractDatabaseMetaData(dataSource, DatabaseMetaData::getDatabaseProductName);
		}
		catch (MetaDataAccessException ex) {
			throw new IllegalStateException("sqlqueue could not read the database's metadata to choose its SQL dialect: "
					+ ex.getMessage(), ex);
		}
		String name = (product != null) ? product.toLowerCase(Locale.ROOT) : "";
		if (name.contains("postgres")) {
			return new PostgresDialect(dataSource, tablePrefix);
		}
		if (name.contains("mariadb")) {
			return new MariaDbDialect(dataSource, tablePrefix);
		}
		if (name.contains("mysql")) {
			throw new IllegalStateException("sqlqueue supports MariaDB 10.6+ but not MySQL yet: MySQL lacks"
					+ " INSERT ... RETURNING, which the MariaDB dialect relies on");
		}
		if (name.equals("h2")) {
			return new H2Dialect(dataSource, tablePrefix);
		}
		if (name.contains("sqlite")) {
			return new SqliteDialect(dataSource, tablePrefix);
		}
		throw new IllegalStateException("sqlqueue does not support database '" + product
				+ "': use PostgreSQL, MariaDB, H2 or SQLite");
	}

}
