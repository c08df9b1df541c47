package io.sqlqueue.internal.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import io.sqlqueue.JobAttempt;
import io.sqlqueue.JobState;
import io.sqlqueue.internal.store.StoreSql.SqlArray;

/**
 * The attempt history: the failed attempts written with their outcome, read for a job's page, and deleted with
 * their jobs. Successes write nothing here.
 */
final class JobAttempts {

	private static final String INSERT_COLUMNS = " (job_id, attempt, state, node, ended_at, error, stack_trace)";

	private JobAttempts() {
	}

	static String table(StoreSql sql) {
		return sql.tableNamed("job_attempt");
	}

	/** The node, message and stack trace arrays that {@link #insertFromDone} reads, one element per change. */
	static List<SqlArray> failureArrays(List<StateChange> changes) {
		int n = changes.size();
		Object[][] columns = new Object[3][n];
		for (int i = 0; i < n; i++) {
			StateChange.Failure failure = changes.get(i).failure();
			if (failure != null) {
				columns[0][i] = failure.node();
				columns[1][i] = failure.message();
				columns[2][i] = failure.stackTrace();
			}
		}
		return List.of(new SqlArray("text", columns[0]), new SqlArray("text", columns[1]),
				new SqlArray("text", columns[2]));
	}

	/** A CTE of the arrays statement that records the failed runs among those {@code done} wrote. */
	static String insertFromDone(StoreSql sql) {
		return "failed AS (INSERT INTO " + table(sql) + INSERT_COLUMNS + " SELECT id, attempt, state, node, " + sql.now()
				+ ", message, trace FROM done WHERE message IS NOT NULL)";
	}

	/** Records the failed runs among {@code changes} whose outcome was written ({@code done}), in their transaction. */
	static void insertFailed(StoreSql sql, List<StateChange> changes, Set<JobRef> done) {
		List<StateChange> failed = changes.stream().filter((c) -> c.failure() != null && done.contains(c.ref())).toList();
		if (failed.isEmpty()) {
			return;
		}
		sql.jdbc.batchUpdate("INSERT INTO " + table(sql) + INSERT_COLUMNS + " VALUES (?, ?, ?, ?, " + sql.now()
				+ ", ?, ?)", failed, failed.size(), (ps, c) -> {
					ps.setLong(1, c.ref().id());
					ps.setInt(2, c.ref().attempt());
					ps.setInt(3, c.state().code());
					ps.setString(4, c.failure().node());
					ps.setString(5, c.failure().message());
					ps.setString(6, c.failure().stackTrace());
				});
	}

	/** The failed attempts of job {@code jobId}, first attempt first. */
	static List<JobAttempt> list(StoreSql sql, long jobId) {
		return sql.jdbc.query("SELECT job_id, attempt, state, node, ended_at, error, stack_trace FROM " + table(sql)
				+ " WHERE job_id = ? ORDER BY attempt, ended_at",
				(rs, row) -> new JobAttempt(rs.getLong(1), rs.getInt(2), JobState.ofCode(rs.getInt(3)), rs.getString(4),
						sql.vendor.readTime(rs, "ended_at"), rs.getString(6), rs.getString(7)),
				jobId);
	}

	/** Deletes the attempts of jobs {@code jobIds}, in the transaction that deletes the jobs. */
	static void deleteOf(StoreSql sql, Collection<Long> jobIds) {
		if (!jobIds.isEmpty()) {
			sql.jdbc.update("DELETE FROM " + table(sql) + " WHERE job_id IN (" + StoreSql.placeholders(jobIds.size()) + ")",
					new ArrayList<>(jobIds).toArray());
		}
	}

}
