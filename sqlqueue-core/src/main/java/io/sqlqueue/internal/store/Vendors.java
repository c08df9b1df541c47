package io.sqlqueue.internal.store;

import java.sql.DatabaseMetaData;
import java.util.Locale;

import javax.sql.DataSource;

import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.jdbc.support.MetaDataAccessException;

/** Picks the {@link Vendor} of a {@link DataSource} from its {@link DatabaseMetaData}. */
public final class Vendors {

	private Vendors() {
	}

	/**
	 * The vendor of {@code dataSource}'s database.
	 * @throws IllegalStateException naming the database when it is not supported or not reachable
	 */
	public static Vendor detect(DataSource dataSource) {
		String product;
		try {
			product = JdbcUtils.extractDatabaseMetaData(dataSource, DatabaseMetaData::getDatabaseProductName);
		}
		catch (MetaDataAccessException ex) {
			throw new IllegalStateException("sqlqueue could not read the database's metadata to choose its SQL: "
					+ ex.getMessage(), ex);
		}
		String name = (product != null) ? product.toLowerCase(Locale.ROOT) : "";
		if (name.contains("postgres")) {
			return new PostgresVendor();
		}
		if (name.contains("mariadb")) {
			return new MariaDbVendor();
		}
		if (name.contains("mysql")) {
			throw new IllegalStateException("sqlqueue supports MariaDB 10.6+ but not MySQL yet: MySQL lacks"
					+ " INSERT ... RETURNING, which sqlqueue's MariaDB statements rely on");
		}
		if (name.equals("h2")) {
			return new H2Vendor();
		}
		if (name.contains("sqlite")) {
			return new SqliteVendor();
		}
		throw new IllegalStateException("sqlqueue does not support database '" + product
				+ "': use PostgreSQL, MariaDB, H2 or SQLite");
	}

}
