package io.sqlqueue.internal.store;

import static io.sqlqueue.internal.store.StoreSql.CANCELLED;
import static io.sqlqueue.internal.store.StoreSql.DEAD;
import static io.sqlqueue.internal.store.StoreSql.READY;
import static io.sqlqueue.internal.store.StoreSql.RUNNING;
import static io.sqlqueue.internal.store.StoreSql.WAITING;

import java.util.List;

import io.sqlqueue.JobState;

/** What an operator does to jobs by hand: cancel, kill, replay the dead, delete the finished. */
final class JobAdmin {

	private final StoreSql sql;

	private final JobOutcomes outcomes;

	private final GroupStore groups;

	JobAdmin(StoreSql sql, JobOutcomes outcomes, GroupStore groups) {
		this.sql = sql;
		this.outcomes = outcomes;
		this.groups = groups;
	}

	boolean cancel(long id) {
		if (endWithChildren(id, JobState.CANCELLED, "UPDATE " + this.sql.table + " SET state = " + CANCELLED
				+ ", finished_at = " + this.sql.now() + ", last_error = ? WHERE id = ? AND state IN (" + READY + ", "
				+ WAITING + ")", "Cancelled", id)) {
			return true;
		}
		return this.sql.jdbc.update("UPDATE " + this.sql.table + " SET cancel_requested = TRUE WHERE id = ? AND state = "
				+ RUNNING, id) == 1;
	}

	boolean kill(long id, String reason) {
		return endWithChildren(id, JobState.DEAD, "UPDATE " + this.sql.table + " SET state = " + DEAD + ", finished_at = "
				+ this.sql.now() + ", locked_until = NULL, locked_by = NULL, last_error = ? WHERE id = ? AND state IN "
				+ StoreSql.ACTIVE, reason, id);
	}

	/**
	 * Runs {@code update}, which ends job {@code id} in {@code ended}, and in the same transaction cancels the
	 * children that waited for it; once that is committed, resolves what its batch or workflow waited for.
	 */
	private boolean endWithChildren(long id, JobState ended, String update, Object... args) {
		boolean changed = this.sql.inTransaction(() -> {
			if (this.sql.jdbc.update(update, args) != 1) {
				return false;
			}
			this.outcomes.cancelWaitingChildren(id, ended);
			return true;
		});
		if (changed) {
			// read after the write, which on SQLite must come first; a job's batch and step never change
			this.sql.jdbc.query("SELECT batch_id, step FROM " + this.sql.table + " WHERE id = ? AND batch_id IS NOT NULL",
					(rs, row) -> new Membership(rs.getLong(1), rs.getString(2) != null), id)
				.stream()
				.findFirst()
				.ifPresent((member) -> this.groups.groupAfterEnded(List.of(id), List.of(member.group()), member.step()));
		}
		return changed;
	}

	/** The batch or workflow a job is a member of, and whether it is one of that workflow's steps. */
	private record Membership(long group, boolean step) {
	}

	boolean deleteFinished(long id) {
		return this.sql.inTransaction(() -> {
			boolean deleted = this.sql.jdbc.update("DELETE FROM " + this.sql.table + " WHERE id = ? AND state IN "
					+ StoreSql.FINISHED, id) == 1;
			if (deleted) {
				JobAttempts.deleteOf(this.sql, List.of(id));
			}
			return deleted;
		});
	}

	boolean retryDead(long id) {
		return this.sql.jdbc.update(retryDeadSql() + " AND id = ?", id) == 1;
	}

	int retryDeadInQueue(String queue) {
		return this.sql.jdbc.update(retryDeadSql() + " AND queue = ?", queue);
	}

	private String retryDeadSql() {
		// a dead job whose unique key another job took meanwhile stays dead: replaying it would break the key's
		// promise (and the unique index); the derived table lets MariaDB read the table it updates
		String t = this.sql.table;
		return "UPDATE " + t + " SET state = " + READY + ", run_at = " + this.sql.now() + ", finished_at = NULL, "
				+ "max_attempts = CASE WHEN max_attempts = -1 THEN -1 ELSE attempt + max_attempts END WHERE state = " + DEAD
				+ " AND (unique_key IS NULL OR NOT EXISTS (SELECT 1 FROM (SELECT unique_key FROM " + t
				+ " WHERE unique_key IS NOT NULL AND state IN " + StoreSql.ACTIVE + ") held WHERE held.unique_key = " + t
				+ ".unique_key))";
	}

	/**
	 * Moves the due times of READY and WAITING jobs {@code millis} earlier, and brings every recurring tick that
	 * falls within them to now (one tick each, not late), in one transaction.
	 * @return how many jobs were moved
	 */
	int moveDueTimesBack(long millis) {
		String recurring = this.sql.tableNamed("recurring");
		Vendor vendor = this.sql.vendor;
		return this.sql.inTransaction(() -> {
			int moved = this.sql.jdbc.update("UPDATE " + this.sql.table + " SET run_at = " + vendor.plusMillis("run_at", "?")
					+ " WHERE state IN (" + READY + ", " + WAITING + ")", -millis);
			// first those whose tick comes within the span, then the later ones, which stay in the future
			this.sql.jdbc.update("UPDATE " + recurring + " SET next_run_at = " + vendor.now() + " WHERE next_run_at <= "
					+ vendor.nowPlusParam(), millis);
			this.sql.jdbc.update("UPDATE " + recurring + " SET next_run_at = " + vendor.plusMillis("next_run_at", "?")
					+ " WHERE next_run_at > " + vendor.nowPlusParam(), -millis, millis);
			return moved;
		});
	}

}
