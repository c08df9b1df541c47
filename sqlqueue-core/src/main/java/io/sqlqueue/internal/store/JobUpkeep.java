package io.sqlqueue.internal.store;

import static io.sqlqueue.internal.store.StoreSql.CANCELLED;
import static io.sqlqueue.internal.store.StoreSql.DEAD;
import static io.sqlqueue.internal.store.StoreSql.READY;
import static io.sqlqueue.internal.store.StoreSql.RUNNING;
import static io.sqlqueue.internal.store.StoreSql.SUCCEEDED;
import static io.sqlqueue.internal.store.StoreSql.WAITING;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.sqlqueue.HeldSnapshot;
import io.sqlqueue.JobState;

/** The statements of maintenance: lease rescue, waiting jobs, retention, and PostgreSQL's vacuum. */
final class JobUpkeep {

	private final StoreSql sql;

	JobUpkeep(StoreSql sql) {
		this.sql = sql;
	}

	int rescueExpired() {
		String expired = " WHERE state = " + RUNNING + " AND locked_until < " + this.sql.now();
		int dead = this.sql.jdbc.update("UPDATE " + this.sql.table + " SET state = " + DEAD + ", finished_at = "
				+ this.sql.now() + ", locked_until = NULL, locked_by = NULL, last_error = ?" + expired
				+ " AND max_attempts <> -1 AND attempt >= max_attempts",
				"Lease expired on its last attempt: the worker stopped heartbeating (crashed, paused or lost the database)");
		int ready = this.sql.jdbc.update("UPDATE " + this.sql.table + " SET state = " + READY + ", run_at = "
				+ this.sql.now() + ", locked_until = NULL, locked_by = NULL, last_error = ?" + expired,
				"Lease expired: the worker stopped heartbeating (crashed, paused or lost the database)");
		return dead + ready;
	}

	int resolveWaiting() {
		String t = this.sql.table;
		List<long[]> waiting = this.sql.jdbc.query("SELECT c.id, p.state, c.parent_id FROM " + t + " c LEFT JOIN " + t
				+ " p ON p.id = c.parent_id WHERE c.state = " + WAITING + " AND c.parent_id IS NOT NULL AND (p.id IS NULL OR p.state IN "
				+ StoreSql.FINISHED + ")",
				(rs, row) -> new long[] { rs.getLong(1), (rs.getObject(2) != null) ? rs.getLong(2) : -1, rs.getLong(3) });
		int changed = 0;
		for (long[] row : waiting) {
			if (row[1] == SUCCEEDED) {
				changed += this.sql.jdbc.update("UPDATE " + t + " SET state = " + READY + ", run_at = " + this.sql.now()
						+ " WHERE id = ? AND state = " + WAITING, row[0]);
			}
			else {
				String reason = JobOutcomes.parentEndedReason(row[2], (row[1] == -1) ? null : JobState.ofCode((int) row[1]));
				changed += this.sql.jdbc.update("UPDATE " + t + " SET state = " + CANCELLED + ", finished_at = "
						+ this.sql.now() + ", last_error = ? WHERE id = ? AND state = " + WAITING, reason, row[0]);
			}
		}
		return changed;
	}

	int deleteExpired(JobState state, Duration defaultRetention, int limit) {
		// the members of a batch or workflow go together, once the whole group has finished
		String where = "state = " + state.code() + " AND ((batch_id IS NULL AND ((retention_ms IS NULL AND finished_at < "
				+ this.sql.nowPlusParam() + ") OR (retention_ms IS NOT NULL AND "
				+ this.sql.vendor.plusMillis("finished_at", "retention_ms") + " < " + this.sql.now() + ")))"
				+ " OR (batch_id IS NOT NULL AND batch_id IN (SELECT b.id FROM " + this.sql.tableNamed("batch")
				+ " b WHERE b.finished_at < " + this.sql.nowPlusParam() + ")))";
		// oldest finished first: ordered by id, the statement sorted every expired row (100 to 250 ms a batch of
		// 1,000 with 500,000 succeeded jobs), where the finished index gives them in order
		return deleteWithAttempts(where, limit, -defaultRetention.toMillis(), -defaultRetention.toMillis());
	}

	int deleteFinished(JobState state, Duration olderThan, int limit) {
		return deleteWithAttempts("state = " + state.code() + " AND finished_at < " + this.sql.nowPlusParam(), limit,
				-olderThan.toMillis());
	}

	/**
	 * Deletes up to {@code limit} jobs matching {@code where} (its parameters {@code whereArgs}), oldest finished
	 * first, and their attempt history with them: in one statement where the database takes arrays, else the
	 * ids first and both deletes in one transaction.
	 */
	private int deleteWithAttempts(String where, int limit, Object... whereArgs) {
		List<Object> whereThenLimit = new ArrayList<>(List.of(whereArgs));
		whereThenLimit.add(limit);
		String attempts = JobAttempts.table(this.sql);
		if (this.sql.vendor.arrays()) {
			return this.sql.jdbc.queryForObject("WITH gone AS (" + this.sql.vendor.deleteLimited(this.sql.table, where,
					"finished_at") + " RETURNING id), history AS (DELETE FROM " + attempts
					+ " WHERE job_id = ANY(ARRAY(SELECT id FROM gone))) SELECT count(*) FROM gone", Integer.class,
					whereThenLimit.toArray());
		}
		return this.sql.inTransaction(() -> {
			List<Long> ids = this.sql.jdbc.queryForList("SELECT id FROM " + this.sql.table + " WHERE " + where
					+ " ORDER BY finished_at LIMIT ?", Long.class, whereThenLimit.toArray());
			if (ids.isEmpty()) {
				return 0;
			}
			List<Object> args = new ArrayList<>(ids);
			args.addAll(List.of(whereArgs));
			// the condition again: a job replayed since it was read stays, and so does its history
			int deleted = this.sql.jdbc.update("DELETE FROM " + this.sql.table + " WHERE id IN ("
					+ StoreSql.placeholders(ids.size()) + ") AND " + where, args.toArray());
			this.sql.jdbc.update("DELETE FROM " + attempts + " WHERE job_id IN (" + StoreSql.placeholders(ids.size())
					+ ") AND NOT EXISTS (SELECT 1 FROM " + this.sql.table + " j WHERE j.id = job_id)", ids.toArray());
			return deleted;
		});
	}

	// ---- PostgreSQL's vacuum ---------------------------------------------------------------------

	/**
	 * {@code VACUUM (ANALYZE, SKIP_LOCKED)}: skipped while another session vacuums the table, so that nodes do
	 * not queue up behind each other. It analyzes as well, since a server without autovacuum has no autoanalyze
	 * either: with the statistics of an empty table the planner scanned every succeeded job for each batch of
	 * the retention cleanup. Needs the table's owner (or, from PostgreSQL 17, the MAINTAIN privilege);
	 * otherwise PostgreSQL skips it with a warning.
	 */
	void vacuum() {
		requireVacuum();
		this.sql.jdbc.execute("VACUUM (ANALYZE, SKIP_LOCKED) " + this.sql.table);
	}

	long deadRows() {
		requireVacuum();
		// the function behind pg_stat_user_tables.n_dead_tup, without the view's joins: asked every second
		Long dead = this.sql.jdbc.queryForObject("SELECT pg_stat_get_dead_tuples(CAST(? AS regclass))", Long.class,
				this.sql.table);
		return (dead != null) ? dead : 0;
	}

	String vacuumRefusal() {
		if (!this.sql.vendor.needsVacuum()) {
			return null;
		}
		// VACUUM skips a table unless the user has the privileges of its owner or of the database's owner
		// (superusers have every role's), or, from PostgreSQL 17 on, the MAINTAIN privilege
		Integer version = this.sql.jdbc.queryForObject("SELECT CAST(current_setting('server_version_num') AS integer)",
				Integer.class);
		String maintain = (version != null && version >= 170000) ? " OR has_table_privilege(c.oid, 'MAINTAIN')" : "";
		Map<String, Object> row = this.sql.jdbc.queryForMap("SELECT current_user AS usr, pg_get_userbyid(c.relowner)"
				+ " AS owner, pg_has_role(c.relowner, 'USAGE') OR pg_has_role(d.datdba, 'USAGE')" + maintain + " AS allowed"
				+ " FROM pg_class c, pg_database d WHERE c.oid = CAST(? AS regclass) AND d.datname = current_database()",
				this.sql.table);
		if (Boolean.TRUE.equals(row.get("allowed"))) {
			return null;
		}
		return "user " + row.get("usr") + " may not vacuum " + this.sql.table + ", which belongs to " + row.get("owner")
				+ " (VACUUM needs the table's owner or the database's)";
	}

	/**
	 * The session of this database with the oldest {@code backend_xmin}, this one and running vacuums aside
	 * (since PostgreSQL 14 a vacuum's own snapshot holds back no other vacuum), or empty when none holds one.
	 */
	Optional<HeldSnapshot> oldestSnapshot() {
		requireVacuum();
		String since = "COALESCE(xact_start, query_start, backend_start)";
		List<HeldSnapshot> oldest = this.sql.jdbc.query("SELECT pid, application_name, state, query_start, " + since
				+ " AS since, CAST(EXTRACT(EPOCH FROM (clock_timestamp() - " + since + ")) * 1000 AS bigint) AS age_ms,"
				+ " age(backend_xmin) AS xid_age FROM pg_stat_activity WHERE datname = current_database()"
				+ " AND backend_xmin IS NOT NULL AND pid <> pg_backend_pid()"
				+ " AND pid NOT IN (SELECT pid FROM pg_stat_progress_vacuum) ORDER BY age(backend_xmin) DESC LIMIT 1",
				(rs, row) -> new HeldSnapshot(rs.getInt("pid"),
						(rs.getString("application_name") != null) ? rs.getString("application_name") : "",
						rs.getString("state"), this.sql.vendor.readTime(rs, "since"),
						Duration.ofMillis(Math.max(0, rs.getLong("age_ms"))), this.sql.vendor.readTime(rs, "query_start"),
						rs.getLong("xid_age")));
		return oldest.stream().findFirst();
	}

	String autovacuumOff() {
		if (!this.sql.vendor.needsVacuum()) {
			return null;
		}
		String autovacuum = this.sql.jdbc.queryForObject("SELECT current_setting('autovacuum')", String.class);
		return "on".equals(autovacuum) ? null : "autovacuum is off on this PostgreSQL server";
	}

	private void requireVacuum() {
		if (!this.sql.vendor.needsVacuum()) {
			throw new UnsupportedOperationException(this.sql.vendor.name() + " needs no VACUUM");
		}
	}

}
