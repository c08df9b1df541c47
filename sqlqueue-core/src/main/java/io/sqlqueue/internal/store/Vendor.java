package io.sqlqueue.internal.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * What differs from one database to the next, and nothing else: time arithmetic and binding, the form
 * of a claim, of returning new ids, of ignoring a unique-key conflict and of a limited delete, and what
 * the database can do (notify, arrays, several nodes, vacuum). The statements themselves are written once,
 * in {@link JdbcJobStore}'s parts: the shape of db-scheduler's {@code JdbcCustomization}.
 */
public abstract class Vendor {

	/** How a claim locks due rows and marks them RUNNING. */
	public enum ClaimForm {

		/** One {@code UPDATE ... FROM (SELECT ... FOR UPDATE SKIP LOCKED) RETURNING} (PostgreSQL). */
		UPDATE_FROM_LOCKED,
		/** {@code SELECT ... FOR UPDATE SKIP LOCKED}, then {@code UPDATE}, in one transaction (MariaDB, H2). */
		LOCK_THEN_UPDATE,
		/** One {@code UPDATE ... WHERE id IN (SELECT ...) RETURNING}, serialized by the database (SQLite). */
		UPDATE_RETURNING

	}

	/** The folder of this database's migrations under {@code db/sqlqueue}. */
	public abstract String name();

	/** SQL for the database's current time. */
	public abstract String now();

	/** SQL for {@code time + millis} milliseconds, both SQL expressions. */
	public abstract String plusMillis(String time, String millis);

	/** Wraps an insert of one row or many so that it returns the new ids as its result set. */
	public abstract String returningIds(String insert);

	/** How a claim is written. */
	public ClaimForm claimForm() {
		return ClaimForm.LOCK_THEN_UPDATE;
	}

	/** SQL for a bound timestamp parameter. */
	public String timeParam() {
		return "?";
	}

	/** The JDBC value bound for {@link #timeParam()}. */
	public Object toDatabaseTime(Instant instant) {
		return instant.atOffset(ZoneOffset.UTC);
	}

	/** The JDBC type of a null time. */
	public int timeSqlType() {
		return Types.TIMESTAMP_WITH_TIMEZONE;
	}

	/** Reads a time column. */
	public Instant readTime(ResultSet rs, String column) throws SQLException {
		OffsetDateTime time = rs.getObject(column, OffsetDateTime.class);
		return (time != null) ? time.toInstant() : null;
	}

	/** SQL for a bound JSON parameter. */
	public String jsonParam() {
		return "?";
	}

	/**
	 * SQL matching jobs whose metadata maps a key to a value, with one parameter: {@link #metadataHasParam}. Here
	 * the metadata is the compact JSON that {@link JsonText} wrote, so the pair is looked for as its text.
	 */
	public String metadataHas() {
		return "metadata LIKE ? ESCAPE '!'";
	}

	/** The parameter of {@link #metadataHas()}. */
	public Object metadataHasParam(String key, String value) {
		String pair = JsonText.writeMap(Map.of(key, value));
		String inner = pair.substring(1, pair.length() - 1);
		return "%" + inner.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
	}

	/** SQL for the first {@code length} characters of text column {@code column}, as a value that can be grouped. */
	public String textPrefix(String column, int length) {
		return "CAST(SUBSTR(" + column + ", 1, " + length + ") AS VARCHAR(" + length + "))";
	}

	/** SQL for {@code now + ? ms}. */
	public final String nowPlusParam() {
		return plusMillis(now(), "?");
	}

	/**
	 * The clause that makes an insert do nothing when it would break the unique index whose columns and
	 * predicate are {@code target}, or {@code null} where a failed insert must be caught instead. Where a
	 * failed statement aborts the caller's transaction (PostgreSQL) or is not translated to a duplicate key
	 * error (SQLite's driver), the clause is the only safe way.
	 */
	public String onConflictDoNothing(String target) {
		return null;
	}

	/**
	 * Deletes at most a bound number of rows of {@code table} matching {@code where}, first in {@code order};
	 * the limit is the last parameter.
	 */
	public String deleteLimited(String table, String where, String order) {
		return "DELETE FROM " + table + " WHERE id IN (SELECT id FROM " + table + " WHERE " + where + " ORDER BY " + order
				+ " LIMIT ?)";
	}

	/** How many jobs one multi-row insert writes at most. */
	public int rowsPerInsert() {
		return 500;
	}

	/** Whether statements take arrays, so that a batch of runs is written in one statement (PostgreSQL). */
	public boolean arrays() {
		return false;
	}

	/** Whether the database can wake workers in other processes (PostgreSQL's LISTEN/NOTIFY). */
	public boolean notifies() {
		return false;
	}

	/** @throws UnsupportedOperationException unless the database {@link #notifies()} */
	final void requireNotifications() {
		if (!notifies()) {
			throw new UnsupportedOperationException(name() + " has no notifications");
		}
	}

	/** The statement that subscribes a session to {@code channel}'s notifications, where it {@link #notifies()}. */
	public String listen(String channel) {
		throw new UnsupportedOperationException(name() + " has no notifications");
	}

	/**
	 * Makes {@code statement} planned afresh at each execution, at the table's current size, instead of
	 * reusing a plan the server cached when the table was smaller or its statistics were missing. Nothing to do
	 * where the database does not cache plans of prepared statements across executions.
	 */
	public void planAtEachExecution(Statement statement) throws SQLException {
	}

	/** Whether several nodes may share the database. */
	public boolean supportsMultipleNodes() {
		return true;
	}

	/** Whether the job table's dead row versions need a VACUUM (PostgreSQL). */
	public boolean needsVacuum() {
		return false;
	}

	/** Whether the claims of a FIFO queue lock its row of the queue lock table (all but SQLite, whose writes are serial). */
	public boolean locksFifoQueues() {
		return true;
	}

	@Override
	public String toString() {
		return name();
	}

}
