package io.sqlqueue.dialect;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.List;

import javax.sql.DataSource;


import io.sqlqueue.Job;

/**
 * SQLite 3.42+, single node only: one process (any number of threads) owns the database file.
 * Times are epoch milliseconds. Use WAL and a busy timeout, e.g.
 * {@code jdbc:sqlite:jobs.db?journal_mode=WAL&busy_timeout=10000}.
 */
public class SqliteDialect extends Dialect {

	/** A dialect for the {@code tablePrefix} tables of {@code dataSource}; see {@link #validateTablePrefix(String)}. */
	public SqliteDialect(DataSource dataSource, String tablePrefix) {
		super(dataSource, tablePrefix);
	}

	@Override
	public String vendor() {
		return "sqlite";
	}

	@Override
	public boolean supportsMultipleNodes() {
		return false;
	}

	@Override
	protected String now() {
		return "CAST(unixepoch('subsec') * 1000 AS INTEGER)";
	}

	@Override
	protected String plusMillis(String time, String millis) {
		return "(" + time + " + " + millis + ")";
	}

	@Override
	protected Object toDatabaseTime(Instant instant) {
		return instant.toEpochMilli();
	}

	@Override
	protected int timeSqlType() {
		return Types.BIGINT;
	}

	@Override
	protected Instant readTime(ResultSet rs, String column) throws SQLException {
		long millis = rs.getLong(column);
		return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
	}

	@Override
	protected Long insertUnique(NewJob job) {
		// a failed statement would abort the caller's transaction: do nothing on conflict instead
		return insertOnConflictDoNothing(job, "ON CONFLICT DO NOTHING");
	}

	@Override
	protected String returningIdsSql(String insert) {
		return insert + " RETURNING id";
	}

	@Override
	public List<Job> jobClaimFifo(String queue, int limit, java.time.Duration lease, String workerId) {
		// one writing statement at a time: no lock row needed
		String sql = "UPDATE " + this.table + " SET " + claimSet() + " WHERE id IN (" + fifoHeadsSql() + ") RETURNING "
				+ COLUMNS;
		List<Job> jobs = new java.util.ArrayList<>(
				this.jdbc.query(sql, jobRowMapper(), lease.toMillis(), workerId, queue, queue, limit));
		jobs.sort(java.util.Comparator.comparingLong(Job::id));
		return jobs;
	}

	@Override
	public void queueLockEnsure(String queue) {
	}

	@Override
	public void recurringInsert(String name, String cron, String zone, Instant nextRunAt) {
		// the driver's constraint errors are not translated to DuplicateKeyException: do nothing on conflict
		this.jdbc.update("INSERT INTO " + tablePrefix() + "recurring (name, cron, zone, next_run_at) VALUES (?, ?, ?, ?)"
				+ " ON CONFLICT DO NOTHING", name, cron, zone, toDatabaseTime(nextRunAt));
	}

	@Override
	protected List<Job> claim(String queue, int limit, long leaseMillis, String workerId) {
		// One DML statement takes SQLite's write lock before it reads, so no two claims interleave.
		String sql = "UPDATE " + this.table + " SET " + claimSet() + " WHERE id IN (" + dueIdsSql() + ") RETURNING "
				+ COLUMNS;
		return this.jdbc.query(sql, jobRowMapper(), leaseMillis, workerId, queue, limit);
	}

}
