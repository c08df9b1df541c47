package io.sqlqueue.internal.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * MariaDB 10.6+: times are UTC {@code DATETIME(6)}, claims lock due ids with {@code FOR UPDATE SKIP LOCKED}
 * in a read-committed transaction, inserts use {@code INSERT ... RETURNING}.
 */
final class MariaDbVendor extends Vendor {

	@Override
	public String name() {
		return "mariadb";
	}

	@Override
	public String now() {
		return "UTC_TIMESTAMP(6)";
	}

	@Override
	public String plusMillis(String time, String millis) {
		return "TIMESTAMPADD(MICROSECOND, (" + millis + ") * 1000, " + time + ")";
	}

	@Override
	public String returningIds(String insert) {
		return insert + " RETURNING id";
	}

	@Override
	public Object toDatabaseTime(Instant instant) {
		return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
	}

	@Override
	public int timeSqlType() {
		return Types.TIMESTAMP;
	}

	@Override
	public Instant readTime(ResultSet rs, String column) throws SQLException {
		LocalDateTime time = rs.getObject(column, LocalDateTime.class);
		return (time != null) ? time.toInstant(ZoneOffset.UTC) : null;
	}

	@Override
	public String textPrefix(String column, int length) {
		return "SUBSTR(" + column + ", 1, " + length + ")";
	}

	@Override
	public String deleteLimited(String table, String where, String order) {
		// MariaDB refuses LIMIT inside an IN subquery, but takes it on DELETE itself
		return "DELETE FROM " + table + " WHERE " + where + " ORDER BY " + order + " LIMIT ?";
	}

}
