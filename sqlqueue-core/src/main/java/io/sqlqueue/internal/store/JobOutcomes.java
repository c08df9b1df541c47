package io.sqlqueue.internal.store;

import static io.sqlqueue.internal.store.StoreSql.CANCELLED;
import static io.sqlqueue.internal.store.StoreSql.READY;
import static io.sqlqueue.internal.store.StoreSql.RUNNING;
import static io.sqlqueue.internal.store.StoreSql.SUCCEEDED;
import static io.sqlqueue.internal.store.StoreSql.WAITING;

import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import io.sqlqueue.JobState;
import io.sqlqueue.internal.store.StoreSql.Param;
import io.sqlqueue.internal.store.StoreSql.SqlArray;

/**
 * The outcomes of runs, each guarded by the run's id, attempt and RUNNING, and what they mean for the
 * WAITING children of the jobs they finish; and the leases of runs still going.
 */
final class JobOutcomes {

	/**
	 * The RUNNING guard of statements that reach their rows by id. Written as an expression so that no index
	 * on {@code state} can serve it: right after a burst of claims the planner's statistics still say almost
	 * no job is RUNNING, and it would walk the lease index (every running job) for each id instead of looking
	 * the ids up in the primary key (seconds per batch with a large backlog). The statements that write one run
	 * guard it the same way, as {@code state + 0}.
	 */
	private static final String RUNNING_BY_ID = "j.state + 0 = " + RUNNING;

	private final StoreSql sql;

	private final GroupStore groups;

	private final Supplier<String> setStateArrays;

	/** The same with the failed attempts of the batch written to the attempt history. */
	private final Supplier<String> setStateArraysRecordingFailures;

	JobOutcomes(StoreSql sql, GroupStore groups) {
		this.sql = sql;
		this.groups = groups;
		this.setStateArrays = StoreSql.builtOnce(() -> setStateArraysSql(false));
		this.setStateArraysRecordingFailures = StoreSql.builtOnce(() -> setStateArraysSql(true));
	}

	/**
	 * @param groupsToLookAt where to add the batches and workflows whose members ended, for the caller to look
	 * at later, or {@code null} to look at them at once
	 */
	Set<JobRef> setStateIfRunningMany(List<StateChange> changes, Set<Long> groupsToLookAt) {
		if (changes.isEmpty()) {
			return Set.of();
		}
		boolean ends = changes.stream().anyMatch((c) -> c.state() == JobState.DEAD || c.state() == JobState.CANCELLED);
		// one statement, atomic by itself; what the ends of members of batches and workflows release is looked at
		// once it is committed
		Map<JobRef, JobState> done = (this.sql.vendor.arrays() && !ends) ? setStateWithArrays(changes)
				: this.sql.inTransaction(() -> setStateAndChildren(changes));
		afterMembersEnded(changes, done, groupsToLookAt);
		return done.keySet();
	}

	private Map<JobRef, JobState> setStateAndChildren(List<StateChange> changes) {
		Map<JobRef, JobState> done = this.sql.vendor.arrays() ? setStateWithArrays(changes) : setStateInBatches(changes);
		if (!this.sql.vendor.arrays()) {
			JobAttempts.insertFailed(this.sql, changes, done.keySet());
		}
		List<Long> succeeded = new ArrayList<>();
		done.forEach((ref, state) -> {
			if (state == JobState.SUCCEEDED) {
				succeeded.add(ref.id());
			}
			else if (state == JobState.DEAD || state == JobState.CANCELLED) {
				cancelWaitingChildren(ref.id(), state);
			}
		});
		if (!succeeded.isEmpty() && !this.sql.vendor.arrays()) {
			promoteChildren(succeeded);
		}
		return done;
	}

	/** What the ends just written of members of batches and workflows release, once they are committed. */
	private void afterMembersEnded(List<StateChange> changes, Map<JobRef, JobState> done, Set<Long> groupsToLookAt) {
		List<Long> ended = new ArrayList<>();
		Set<Long> groupIds = new HashSet<>();
		boolean steps = false;
		for (StateChange change : changes) {
			JobState state = done.get(change.ref());
			if (change.batchId() != null && state != null && state != JobState.READY) {
				ended.add(change.ref().id());
				groupIds.add(change.batchId());
				steps |= change.step();
			}
		}
		if (ended.isEmpty()) {
			return;
		}
		if (groupsToLookAt != null && !steps) {
			groupsToLookAt.addAll(groupIds);
		}
		else {
			this.groups.groupAfterEnded(ended, groupIds, steps);
		}
	}

	// ---- arrays: one statement for the whole batch ----------------------------------------------

	private Map<JobRef, JobState> setStateWithArrays(List<StateChange> changes) {
		// in id order, as the lease extension locks them: two statements locking the same rows in opposite
		// orders wait for each other until the server's deadlock check (a second) breaks one off
		List<StateChange> sorted = changes.stream().sorted(Comparator.comparingLong((StateChange c) -> c.ref().id())).toList();
		int n = sorted.size();
		Object[][] columns = new Object[8][n];
		for (int i = 0; i < n; i++) {
			StateChange c = sorted.get(i);
			columns[0][i] = c.ref().id();
			columns[1][i] = c.ref().attempt();
			columns[2][i] = c.state().code();
			columns[3][i] = c.delayMillis();
			columns[4][i] = c.error();
			columns[5][i] = c.result();
			columns[6][i] = c.logs();
			columns[7][i] = c.snooze();
		}
		List<Param> params = new ArrayList<>(List.of(new SqlArray("bigint", columns[0]), new SqlArray("integer", columns[1]),
				new SqlArray("integer", columns[2]), new SqlArray("bigint", columns[3]), new SqlArray("text", columns[4]),
				new SqlArray("text", columns[5]), new SqlArray("text", columns[6]), new SqlArray("boolean", columns[7])));
		boolean failures = sorted.stream().anyMatch((c) -> c.failure() != null);
		if (failures) {
			// only batches with a failed attempt carry the history's columns: a batch of successes pays nothing
			params.addAll(JobAttempts.failureArrays(sorted));
		}
		params.add(Param.of(n));
		Map<JobRef, JobState> done = new HashMap<>();
		this.sql.queryCached((failures ? this.setStateArraysRecordingFailures : this.setStateArrays).get(),
				(rs, row) -> done.put(new JobRef(rs.getLong(1), rs.getInt(2)), JobState.ofCode(rs.getInt(3))),
				params.toArray(Param[]::new));
		return done;
	}

	/**
	 * One statement for a whole batch of outcomes. Its batch is joined as {@code (SELECT ... LIMIT ?)} bound to
	 * the batch's size: under a generic plan a limit given as a parameter is estimated at a tenth of its input,
	 * so the planner sees a handful of rows and looks each up in the primary key, where a plain {@code unnest}
	 * estimated at a hundred rows was joined to a sequential scan of the table. The children are found with
	 * {@code = ANY(ARRAY(...))}, a lookup of the parent index per id in every plan, and only when some job waits
	 * for a parent at all: the {@code EXISTS} is a one-time probe of the parent index (it holds only WAITING
	 * children), so that a batch of outcomes with no children pays one index read instead of one per id. With
	 * {@code failures}, the batch has three more arrays (node, message, stack trace) and the failed attempts
	 * written are inserted into the attempt history by the same statement.
	 */
	private String setStateArraysSql(boolean failures) {
		String t = this.sql.table;
		return "WITH done AS (UPDATE " + t + " j SET state = u.state,"
				+ " run_at = CASE WHEN u.state = " + READY + " THEN " + this.sql.vendor.plusMillis("now()", "u.delay")
				+ " ELSE j.run_at END,"
				+ " finished_at = CASE WHEN u.state = " + READY + " THEN j.finished_at ELSE now() END,"
				+ " locked_until = NULL, locked_by = NULL,"
				+ " last_error = CASE WHEN u.state = " + SUCCEEDED + " OR u.snooze THEN j.last_error ELSE u.error END,"
				+ " max_attempts = CASE WHEN u.snooze AND j.max_attempts <> -1 THEN j.max_attempts + 1"
				+ " ELSE j.max_attempts END,"
				+ " result = CASE WHEN u.state = " + SUCCEEDED + " THEN CAST(u.result AS jsonb) ELSE j.result END,"
				+ " logs = COALESCE(u.logs, j.logs)"
				+ " FROM (SELECT * FROM unnest(CAST(? AS bigint[]), CAST(? AS integer[]), CAST(? AS integer[]),"
				+ " CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS boolean[])"
				+ (failures ? ", CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[])" : "")
				+ ") AS a(id, attempt, state, delay, error, result, logs, snooze"
				+ (failures ? ", node, message, trace" : "") + ") LIMIT ?) u"
				+ " WHERE j.id = u.id AND j.attempt = u.attempt AND " + RUNNING_BY_ID + " RETURNING j.id, j.attempt, j.state"
				+ (failures ? ", u.node, u.message, u.trace), " + JobAttempts.insertFromDone(this.sql) : ")") + ","
				+ " children AS (UPDATE " + t + " c SET state = " + READY + ", run_at = now() WHERE c.state = " + WAITING
				+ " AND c.parent_id = ANY(ARRAY(SELECT id FROM done WHERE state = " + SUCCEEDED + "))"
				+ " AND EXISTS (SELECT 1 FROM " + t + " w WHERE w.state = " + WAITING + " AND w.parent_id IS NOT NULL))"
				+ " SELECT id, attempt, state FROM done";
	}

	// ---- JDBC batches: a statement per target state ----------------------------------------------

	private Map<JobRef, JobState> setStateInBatches(List<StateChange> changes) {
		// a statement per target state, and one more for snoozed runs
		Map<String, List<StateChange>> byStatement = new LinkedHashMap<>();
		for (StateChange change : changes) {
			byStatement.computeIfAbsent(updateSql(change.state(), change.snooze()), (sql) -> new ArrayList<>()).add(change);
		}
		Map<JobRef, JobState> done = new HashMap<>();
		byStatement.forEach((update, group) -> {
			JobState state = group.get(0).state();
			int[] counts = this.sql.jdbc.batchUpdate(update, group, group.size(),
					(PreparedStatement ps, StateChange c) -> bind(ps, c))[0];
			for (int i = 0; i < counts.length; i++) {
				StateChange c = group.get(i);
				boolean changed = counts[i] > 0
						|| (counts[i] == Statement.SUCCESS_NO_INFO && this.sql.jdbc.update(update, args(c)) > 0);
				if (changed) {
					done.put(c.ref(), state);
				}
			}
		});
		return done;
	}

	private String updateSql(JobState state, boolean snooze) {
		String set = switch (state) {
			case SUCCEEDED -> "finished_at = " + this.sql.now() + ", result = " + this.sql.vendor.jsonParam();
			case READY -> snooze ? "run_at = " + this.sql.nowPlusParam() + ", max_attempts = CASE WHEN max_attempts = -1"
					+ " THEN -1 ELSE max_attempts + 1 END, last_error = COALESCE(?, last_error)"
					: "run_at = " + this.sql.nowPlusParam() + ", last_error = ?";
			default -> "finished_at = " + this.sql.now() + ", last_error = ?";
		};
		return "UPDATE " + this.sql.table + " SET state = " + state.code() + ", " + set
				+ ", locked_until = NULL, locked_by = NULL, logs = COALESCE(?, logs) WHERE id = ? AND attempt = ? AND state + 0 = "
				+ RUNNING;
	}

	private static Object[] args(StateChange c) {
		Object first = switch (c.state()) {
			case SUCCEEDED -> c.result();
			case READY -> c.delayMillis();
			default -> c.error();
		};
		return (c.state() == JobState.READY)
				? new Object[] { first, c.error(), c.logs(), c.ref().id(), c.ref().attempt() }
				: new Object[] { first, c.logs(), c.ref().id(), c.ref().attempt() };
	}

	private static void bind(PreparedStatement ps, StateChange c) throws java.sql.SQLException {
		Object[] args = args(c);
		for (int i = 0; i < args.length; i++) {
			ps.setObject(i + 1, args[i]);
		}
	}

	// ---- children ------------------------------------------------------------------------------

	/** WAITING children of {@code parentIds} become READY. */
	private void promoteChildren(Collection<Long> parentIds) {
		this.sql.jdbc.update("UPDATE " + this.sql.table + " SET state = " + READY + ", run_at = " + this.sql.now()
				+ " WHERE state = " + WAITING + " AND parent_id IN (" + StoreSql.placeholders(parentIds.size()) + ")",
				parentIds.toArray());
	}

	/**
	 * Cancels the WAITING children of a parent that ended without succeeding, and theirs in turn, each with a
	 * reason naming its parent. Run in the transaction that ended the parent, so that no child is left waiting
	 * for a parent that will never succeed.
	 */
	void cancelWaitingChildren(long parentId, JobState parentState) {
		List<Long> children = this.sql.jdbc.queryForList("SELECT id FROM " + this.sql.table + " WHERE state = " + WAITING
				+ " AND parent_id = ?", Long.class, parentId);
		for (long child : children) {
			int cancelled = this.sql.jdbc.update("UPDATE " + this.sql.table + " SET state = " + CANCELLED
					+ ", finished_at = " + this.sql.now() + ", last_error = ? WHERE id = ? AND state = " + WAITING,
					parentEndedReason(parentId, parentState), child);
			if (cancelled == 1) {
				cancelWaitingChildren(child, JobState.CANCELLED);
			}
		}
	}

	/** Why a child was cancelled: its parent is in {@code parentState}, or gone when that is {@code null}. */
	static String parentEndedReason(long parentId, JobState parentState) {
		String parent = "parent job " + parentId + ((parentState != null) ? " is " + parentState : " no longer exists");
		return "Cancelled: " + parent + ", so this job would never run";
	}

	// ---- leases --------------------------------------------------------------------------------

	List<LeaseStatus> extendLeases(List<JobRef> refs, Duration lease) {
		if (refs.isEmpty()) {
			return List.of();
		}
		if (this.sql.vendor.arrays()) {
			// in id order, as outcomes lock them; the batch joined as in setStateArraysSql, for the same plan
			List<JobRef> sorted = refs.stream().sorted(Comparator.comparingLong(JobRef::id)).toList();
			return this.sql.queryCached("UPDATE " + this.sql.table + " j SET locked_until = " + this.sql.nowPlusParam()
					+ " FROM (SELECT * FROM unnest(CAST(? AS bigint[]), CAST(? AS integer[])) AS a(id, attempt) LIMIT ?) u"
					+ " WHERE j.id = u.id AND j.attempt = u.attempt AND " + RUNNING_BY_ID
					+ " RETURNING j.id, j.attempt, j.cancel_requested",
					(rs, row) -> new LeaseStatus(rs.getLong(1), rs.getInt(2), rs.getBoolean(3)), Param.of(lease.toMillis()),
					new SqlArray("bigint", sorted.stream().map(JobRef::id).toArray()),
					new SqlArray("integer", sorted.stream().map(JobRef::attempt).toArray()), Param.of(sorted.size()));
		}
		this.sql.jdbc.batchUpdate("UPDATE " + this.sql.table + " SET locked_until = " + this.sql.nowPlusParam()
				+ " WHERE id = ? AND attempt = ? AND state + 0 = " + RUNNING, refs, refs.size(), (ps, ref) -> {
					ps.setLong(1, lease.toMillis());
					ps.setLong(2, ref.id());
					ps.setInt(3, ref.attempt());
				});
		Set<JobRef> asked = new HashSet<>(refs);
		List<LeaseStatus> owned = new ArrayList<>();
		this.sql.jdbc.query("SELECT id, attempt, cancel_requested FROM " + this.sql.table + " WHERE state = " + RUNNING
				+ " AND id IN (" + StoreSql.placeholders(refs.size()) + ")", (rs) -> {
					LeaseStatus status = new LeaseStatus(rs.getLong(1), rs.getInt(2), rs.getBoolean(3));
					if (asked.contains(status.ref())) {
						owned.add(status);
					}
				}, refs.stream().map(JobRef::id).toArray());
		return owned;
	}

}
