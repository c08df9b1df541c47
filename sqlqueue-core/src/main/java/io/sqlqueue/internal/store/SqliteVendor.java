package io.sqlqueue.internal.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;

/**
 * SQLite 3.42+, single node only: one process (any number of threads) owns the database file. Times are
 * epoch milliseconds. One writing statement takes the database's write lock before it reads, so claims
 * need no row locks.
 */
final class SqliteVendor extends Vendor {

	@Override
	public String name() {
		return "sqlite";
	}

	@Override
	public String now() {
		return "CAST(unixepoch('subsec') * 1000 AS INTEGER)";
	}

	@Override
	public String plusMillis(String time, String millis) {
		return "(" + time + " + " + millis + ")";
	}

	@Override
	public String returningIds(String insert) {
		return insert + " RETURNING id";
	}

	@Override
	public ClaimForm claimForm() {
		return ClaimForm.UPDATE_RETURNING;
	}

	@Override
	public Object toDatabaseTime(Instant instant) {
		return instant.toEpochMilli();
	}

	@Override
	public int timeSqlType() {
		return Types.BIGINT;
	}

	@Override
	public Instant readTime(ResultSet rs, String column) throws SQLException {
		long millis = rs.getLong(column);
		return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
	}

	@Override
	public String onConflictDoNothing(String target) {
		// the driver's constraint errors are not translated to DuplicateKeyException
		return "ON CONFLICT DO NOTHING";
	}

	@Override
	public boolean supportsMultipleNodes() {
		return false;
	}

	@Override
	public boolean locksFifoQueues() {
		return false;
	}

}
