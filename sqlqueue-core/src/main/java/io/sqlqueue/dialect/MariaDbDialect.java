package io.sqlqueue.dialect;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

import javax.sql.DataSource;

/**
 * MariaDB 10.6+: times are UTC {@code DATETIME(6)}, claims lock due ids with
 * {@code FOR UPDATE SKIP LOCKED} in a read-committed transaction, inserts use
 * {@code INSERT ... RETURNING}.
 */
public class MariaDbDialect extends LockingClaimDialect {

	/** A dialect for the {@code tablePrefix} tables of {@code dataSource}; see {@link #validateTablePrefix(String)}. */
	public MariaDbDialect(DataSource dataSource, String tablePrefix) {
		super(dataSource, tablePrefix);
	}

	@Override
	public String vendor() {
		return "mariadb";
	}

	@Override
	protected String now() {
		return "UTC_TIMESTAMP(6)";
	}

	@Override
	protected String plusMillis(String time, String millis) {
		return "TIMESTAMPADD(MICROSECOND, (" + millis + ") * 1000, " + time + ")";
	}

	@Override
	protected Object toDatabaseTime(Instant instant) {
		return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
	}

	@Override
	protected int timeSqlType() {
		return Types.TIMESTAMP;
	}

	@Override
	protected Instant readTime(ResultSet rs, String column) throws SQLException {
		LocalDateTime time = rs.getObject(column, LocalDateTime.class);
		return (time != null) ? time.toInstant(ZoneOffset.UTC) : null;
	}

	@Override
	protected String returningIdsSql(String insert) {
		return insert + " RETURNING id";
	}

	@Override
	protected int deleteLimited(String where, int limit, Object... args) {
		// MariaDB refuses LIMIT inside an IN subquery, but takes it on DELETE itself
		Object[] all = java.util.Arrays.copyOf(args, args.length + 1);
		all[args.length] = limit;
		return this.jdbc.update("DELETE FROM " + this.table + " WHERE " + where + " ORDER BY id LIMIT ?", all);
	}

}
