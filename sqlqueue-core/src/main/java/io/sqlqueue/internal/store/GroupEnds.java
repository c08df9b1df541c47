package io.sqlqueue.internal.store;

import static io.sqlqueue.JobGroups.ON_COMPLETE;
import static io.sqlqueue.JobGroups.ON_FAILURE;
import static io.sqlqueue.JobGroups.ON_SUCCESS;
import static io.sqlqueue.internal.store.StoreSql.CANCELLED;
import static io.sqlqueue.internal.store.StoreSql.READY;
import static io.sqlqueue.internal.store.StoreSql.RUNNING;
import static io.sqlqueue.internal.store.StoreSql.WAITING;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.PessimisticLockingFailureException;

import io.sqlqueue.JobGroup;
import io.sqlqueue.JobState;

/**
 * How batches and workflows move on as their members end. Nothing counts a group's finished members as they finish: a group is finished when
 * none of its members is READY, RUNNING or WAITING, which one probe of the batch index answers. Whoever ends a
 * member (the completer, an operator, the sweeper) looks once its end is committed, in a statement that sees
 * every commit made before it started: of the last two members ending at once on two nodes, the one whose end
 * committed last sees both ended. Whoever sees no member left locks the group's row, looks again, and finishes
 * it; the row's {@code finished_at} makes it exactly once. A step's dependencies are looked at the same way,
 * after the commit, under the lock of the step's row. Looking after the commit rather than in the transaction
 * that ends the members keeps the group's row out of that transaction: a batch's members end in the one
 * statement plain jobs end in, and pay one probe per group and flush. A writer that stops between its commit
 * and its look leaves the group to the maintenance sweep ({@link #groupSweep()}).
 */
final class GroupEnds {

	private static final Logger logger = LoggerFactory.getLogger(GroupEnds.class);

	/** Tries of a look at a group that the database breaks off as a deadlock. */
	private static final int DEADLOCK_ATTEMPTS = 5;

	private final StoreSql sql;

	/** The groups' reads: their rows, their counts and which jobs are their members. */
	private final JobGroups reads;

	private final String groups;

	private final String dependencies;

	private final List<Consumer<Set<String>>> readyListeners = new CopyOnWriteArrayList<>();

	/** Whether this database's batch index (migration V9) holds the state after the batch. */
	private final boolean probePerState;

	GroupEnds(StoreSql sql, JobGroups reads) {
		this.sql = sql;
		this.reads = reads;
		this.groups = sql.tableNamed("batch");
		this.dependencies = sql.tableNamed("dependency");
		this.probePerState = Set.of("postgresql", "sqlite").contains(sql.vendor.name());
	}

	/** As {@link GroupStore#onReady}. */
	void onReady(Consumer<Set<String>> listener) {
		this.readyListeners.add(listener);
	}

	/** As {@link GroupStore#groupAfterEnded}. */
	void groupAfterEnded(Collection<Long> endedJobIds, Collection<Long> groupIds, boolean steps) {
		List<Long> ended = List.copyOf(endedJobIds);
		Set<Long> touched = new TreeSet<>(groupIds);
		this.sql.afterCommit(() -> afterCommitted(ended, touched, steps));
	}

	/** What the ends of {@code ended}, members of {@code touched}, release, once they are committed. */
	private void afterCommitted(List<Long> ended, Set<Long> touched, boolean steps) {
		boolean cancelled;
		try {
			// read before the transaction, whose first statement then locks the steps: on SQLite a transaction
			// that read first fails, rather than waits, when another connection wrote meanwhile
			Set<Long> dependents = steps ? dependentsOf(ended) : Set.of();
			cancelled = !dependents.isEmpty() && retryingDeadlocks(() -> this.sql.inTransaction(() -> {
				Set<String> ready = new LinkedHashSet<>();
				List<Long> next = resolve(dependents, ready, touched);
				boolean any = !next.isEmpty();
				while (!next.isEmpty()) {
					// a step cancelled because its dependency died ends in turn: its own dependents are next
					next = resolveDependents(next, ready, touched);
				}
				announce(ready);
				return any;
			}));
		}
		catch (RuntimeException ex) {
			// the ends are committed: what they release is left to the sweep rather than reported as not written
			logger.warn("sqlqueue could not resolve the steps waiting for jobs {} ({}); the maintenance sweep will", ended,
					ex.toString());
			return;
		}
		Runnable finish = () -> touched.forEach(this::finishIfNoneLeft);
		if (cancelled) {
			// the steps just cancelled are ends too: their groups are looked at once they are committed
			this.sql.afterCommit(finish);
		}
		else {
			finish.run();
		}
	}

	/**
	 * Finishes group {@code id} if the probe, run after the ends of its members were committed, finds none left.
	 * A failure is logged and left to the sweep: the ends are written, and the other groups are still looked at.
	 */
	private void finishIfNoneLeft(long id) {
		try {
			finishIfNoMemberLeft(id);
		}
		catch (RuntimeException ex) {
			logger.warn("sqlqueue could not look whether batch or workflow {} is finished ({}); the maintenance sweep will",
					id, ex.toString());
		}
	}

	/**
	 * Finishes group {@code id} if the probe, without a lock, finds no member left, and then its locked look agrees.
	 * @return whether this finished it
	 */
	private boolean finishIfNoMemberLeft(long id) {
		return retryingDeadlocks(() -> !hasUnfinishedMember(id) && this.sql.inTransaction(() -> {
			Set<String> ready = new LinkedHashSet<>();
			boolean done = finishIfDone(id, ready);
			announce(ready);
			return done;
		}));
	}

	/**
	 * Runs {@code work}, again when the database broke it off as a deadlock (MariaDB's, between a group being
	 * finished and outcomes written on another node, that lock rows of the job table in other orders): its
	 * transaction was rolled back whole, and the next try finds things as they now are.
	 */
	private static <T> T retryingDeadlocks(Supplier<T> work) {
		for (int attempt = 1;; attempt++) {
			try {
				return work.get();
			}
			catch (PessimisticLockingFailureException ex) {
				if (attempt == DEADLOCK_ATTEMPTS) {
					throw ex;
				}
			}
		}
	}

	/**
	 * Resolves the WAITING dependents of {@code ended}, locked in id order.
	 * @return the dependents cancelled
	 */
	private List<Long> resolveDependents(List<Long> ended, Set<String> ready, Set<Long> touched) {
		return resolve(dependentsOf(ended), ready, touched);
	}

	/** The steps that depend on {@code ended}, in id order. Edges never change once written. */
	private Set<Long> dependentsOf(List<Long> ended) {
		Set<Long> dependents = new TreeSet<>();
		for (List<Long> chunk : StoreSql.chunks(ended)) {
			dependents.addAll(this.sql.jdbc.queryForList("SELECT job_id FROM " + this.dependencies + " WHERE depends_on IN ("
					+ StoreSql.placeholders(chunk.size()) + ")", Long.class, chunk.toArray()));
		}
		return dependents;
	}

	/**
	 * Resolves the WAITING steps among {@code dependents}, locked in id order.
	 * @return the steps cancelled
	 */
	private List<Long> resolve(Set<Long> dependents, Set<String> ready, Set<Long> touched) {
		List<Long> cancelled = new ArrayList<>();
		for (List<Long> chunk : StoreSql.chunks(new ArrayList<>(dependents))) {
			// the lock makes a later look see every dependency that ended before it was granted
			this.sql.jdbc.update("UPDATE " + this.sql.table + " SET state = state WHERE id IN ("
					+ StoreSql.placeholders(chunk.size()) + ") AND state = " + WAITING, chunk.toArray());
			Map<Long, List<Object[]>> edges = new LinkedHashMap<>();
			Map<Long, String> queues = new LinkedHashMap<>();
			this.sql.jdbc.query("SELECT e.job_id, e.run_anyway, d.state, d.step, d.id, w.queue, w.batch_id FROM "
					+ this.dependencies + " e JOIN " + this.sql.table + " d ON d.id = e.depends_on JOIN " + this.sql.table
					+ " w ON w.id = e.job_id WHERE e.job_id IN (" + StoreSql.placeholders(chunk.size()) + ") AND w.state = "
					+ WAITING + " ORDER BY e.job_id", (rs) -> {
						long job = rs.getLong(1);
						edges.computeIfAbsent(job, (k) -> new ArrayList<>()).add(new Object[] { rs.getInt(2) == 1,
								JobState.ofCode(rs.getInt(3)), rs.getString(4), rs.getLong(5) });
						queues.put(job, rs.getString(6));
						long group = rs.getLong(7);
						if (!rs.wasNull()) {
							touched.add(group);
						}
					}, chunk.toArray());
			List<Long> runnable = new ArrayList<>();
			edges.forEach((job, list) -> {
				String blocked = null;
				boolean met = true;
				for (Object[] edge : list) {
					boolean runAnyway = (Boolean) edge[0];
					JobState state = (JobState) edge[1];
					boolean finished = state.isFinished();
					if (!runAnyway && finished && state != JobState.SUCCEEDED && blocked == null) {
						blocked = "Cancelled: step '" + edge[2] + "' (job " + edge[3] + ") is " + state
								+ ", so this step would never run";
					}
					met &= (state == JobState.SUCCEEDED) || (runAnyway && finished);
				}
				if (blocked != null) {
					if (this.sql.jdbc.update("UPDATE " + this.sql.table + " SET state = " + CANCELLED + ", finished_at = "
							+ this.sql.now() + ", last_error = ? WHERE id = ? AND state = " + WAITING, blocked, job) == 1) {
						cancelled.add(job);
					}
				}
				else if (met) {
					runnable.add(job);
					ready.add(queues.get(job));
				}
			});
			if (!runnable.isEmpty()) {
				this.sql.jdbc.update("UPDATE " + this.sql.table + " SET state = " + READY + ", run_at = " + this.sql.now()
						+ " WHERE id IN (" + StoreSql.placeholders(runnable.size()) + ") AND state = " + WAITING,
						runnable.toArray());
			}
		}
		return cancelled;
	}

	/** Finishes group {@code id} when none of its members is left unfinished, releasing its callbacks. */
	private boolean finishIfDone(long id, Set<String> ready) {
		// the lock first: the looks below then see every member that ended before it was granted
		lockGroup(id);
		GroupRow group = this.reads.groupGet(id).orElse(null);
		if (group == null || group.finishedAt() != null) {
			return false;
		}
		if (hasUnfinishedMember(id)) {
			return false;
		}
		Map<JobState, Long> counts = this.reads.groupCountByState(id);
		long dead = counts.getOrDefault(JobState.DEAD, 0L);
		long cancelled = counts.getOrDefault(JobState.CANCELLED, 0L);
		this.sql.jdbc.update("UPDATE " + this.groups + " SET finished_at = " + this.sql.now()
				+ ", succeeded = ?, dead = ?, cancelled_jobs = ? WHERE id = ?",
				counts.getOrDefault(JobState.SUCCEEDED, 0L), dead, cancelled, id);
		if (group.cancelled()) {
			return true;
		}
		boolean failed = dead + cancelled > 0;
		Set<String> runs = failed ? Set.of(ON_COMPLETE, ON_FAILURE) : Set.of(ON_COMPLETE, ON_SUCCESS);
		// read first, then written by primary key: an update reaching them through an index of the job table
		// locked the rows it passed on MariaDB, and deadlocked with outcomes written meanwhile
		List<Long> release = new ArrayList<>();
		List<Long> skip = new ArrayList<>();
		this.sql.jdbc.query("SELECT id, queue, step FROM " + this.sql.table + " WHERE callback_for = ? AND state = " + WAITING
				+ " ORDER BY id", (rs) -> {
					if (runs.contains(rs.getString(3))) {
						release.add(rs.getLong(1));
						ready.add(rs.getString(2));
					}
					else {
						skip.add(rs.getLong(1));
					}
				}, id);
		if (!release.isEmpty()) {
			this.sql.jdbc.update("UPDATE " + this.sql.table + " SET state = " + READY + ", run_at = " + this.sql.now()
					+ " WHERE id IN (" + StoreSql.placeholders(release.size()) + ") AND state = " + WAITING, release.toArray());
		}
		if (!skip.isEmpty()) {
			String kind = (group.kind() == JobGroup.Kind.WORKFLOW) ? "workflow" : "batch";
			String reason = failed
					? "Not run: " + kind + " " + id + " finished with " + dead + " dead and " + cancelled + " cancelled jobs"
					: "Not run: every job of " + kind + " " + id + " succeeded";
			List<Object> args = new ArrayList<>(List.of(reason));
			args.addAll(skip);
			this.sql.jdbc.update("UPDATE " + this.sql.table + " SET state = " + CANCELLED + ", finished_at = " + this.sql.now()
					+ ", last_error = ? WHERE id IN (" + StoreSql.placeholders(skip.size()) + ") AND state = " + WAITING,
					args.toArray());
		}
		return true;
	}

	/**
	 * Whether group {@code id} has a member READY, RUNNING or WAITING, each probe walking from the highest id
	 * down. Looked up from the lowest, a probe would step over the entries of every member that has finished (on
	 * PostgreSQL, dead entries until the table is vacuumed), which grow with the drain: a batch of 100,000
	 * drained at half the rate of plain jobs. Members are claimed in id order by and large, so the highest ids are
	 * the ones still to run, and a probe stops at the first. On PostgreSQL and SQLite, a probe of the batch index
	 * per state: RUNNING, WAITING, then READY through the members' range of ids (PostgreSQL's batch index holds
	 * only the members RUNNING or WAITING, so that enqueueing a member and ending it write no entry there). On
	 * MariaDB, whose key then ends with the primary key, and H2, one probe of the batch's members in id order.
	 */
	private boolean hasUnfinishedMember(long id) {
		if (this.probePerState) {
			String probe = "(SELECT id FROM " + this.sql.table + " WHERE batch_id = ? AND state = %d ORDER BY id DESC LIMIT 1)";
			// READY last, through the members' range of ids: no index holds a batch's READY members on
			// PostgreSQL, and near the end that walk steps over every finished member
			return this.sql.jdbc.queryForObject("SELECT COALESCE(" + probe.formatted(RUNNING) + ", "
					+ probe.formatted(WAITING) + ", (SELECT r.id FROM " + this.sql.table + " r WHERE " + this.reads.memberOf("r")
					+ " AND r.state = " + READY + " ORDER BY r.id DESC LIMIT 1))", Long.class, id, id, id, id, id) != null;
		}
		return !this.sql.jdbc.queryForList("SELECT id FROM " + this.sql.table + " WHERE batch_id = ? AND state IN "
				+ StoreSql.ACTIVE + " ORDER BY id DESC LIMIT 1", Long.class, id).isEmpty();
	}

	private void announce(Set<String> queues) {
		queues.remove(null);
		if (!queues.isEmpty()) {
			this.readyListeners.forEach((listener) -> listener.accept(Set.copyOf(queues)));
		}
	}

	/**
	 * As {@link GroupStore#groupSweep}. Most open groups have members left: for them the sweep reads, without a
	 * transaction or a lock, whether a workflow's waiting step has a dependency that ended and whether any member
	 * is unfinished, and goes on; only a group with something to do is locked and looked at as a member's end is.
	 */
	int groupSweep() {
		List<long[]> open = this.sql.jdbc.query("SELECT id, kind FROM " + this.groups + " WHERE finished_at IS NULL"
				+ " ORDER BY id", (rs, n) -> new long[] { rs.getLong(1), rs.getInt(2) });
		int finished = 0;
		for (long[] row : open) {
			long id = row[0];
			// only a workflow has steps: a batch's members depend on nothing
			boolean workflow = row[1] == JobGroup.Kind.WORKFLOW.ordinal();
			if (!workflow || endedDependencies(id).isEmpty()) {
				// no step to resolve: finished as after a member's end, if no member is left
				finished += finishIfNoMemberLeft(id) ? 1 : 0;
				continue;
			}
			finished += retryingDeadlocks(() -> this.sql.inTransaction(() -> {
				// the group's row before its jobs, as a cancel and a finish lock them; on SQLite, a transaction
				// that reads before it writes fails when another connection wrote meanwhile
				lockGroup(id);
				Set<String> ready = new LinkedHashSet<>();
				List<Long> ended = endedDependencies(id);
				Set<Long> touched = new TreeSet<>(List.of(id));
				while (!ended.isEmpty()) {
					ended = resolveDependents(ended, ready, touched);
				}
				boolean done = finishIfDone(id, ready);
				announce(ready);
				return done ? 1 : 0;
			}));
		}
		return finished;
	}

	private void lockGroup(long id) {
		this.sql.jdbc.update("UPDATE " + this.groups + " SET version = version WHERE id = ?", id);
	}

	/** The ended jobs that steps of workflow {@code id} still WAITING depend on. */
	private List<Long> endedDependencies(long id) {
		return this.sql.jdbc.queryForList("SELECT DISTINCT e.depends_on FROM " + this.dependencies + " e JOIN "
				+ this.sql.table + " w ON w.id = e.job_id JOIN " + this.sql.table + " d ON d.id = e.depends_on WHERE"
				+ " w.batch_id = ? AND w.state = " + WAITING + " AND d.state IN " + StoreSql.FINISHED, Long.class, id);
	}

}
