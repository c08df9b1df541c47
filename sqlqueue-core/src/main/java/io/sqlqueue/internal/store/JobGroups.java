package io.sqlqueue.internal.store;

import static io.sqlqueue.internal.store.StoreSql.CANCELLED;
import static io.sqlqueue.internal.store.StoreSql.READY;
import static io.sqlqueue.internal.store.StoreSql.RUNNING;
import static io.sqlqueue.internal.store.StoreSql.WAITING;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import io.sqlqueue.Job;
import io.sqlqueue.JobGroup;
import io.sqlqueue.JobState;

/**
 * Batches and workflows: their rows, members, dependencies and callbacks written and read, their cancel and
 * retention. What their members' ends release, exactly once across the cluster, is {@link GroupEnds}'s.
 */
final class JobGroups implements GroupStore {

	private final StoreSql sql;

	private final String groups;

	private final String dependencies;

	private final GroupEnds ends;

	JobGroups(StoreSql sql) {
		this.sql = sql;
		this.groups = sql.tableNamed("batch");
		this.dependencies = sql.tableNamed("dependency");
		this.ends = new GroupEnds(sql, this);
	}

	@Override
	public long groupInsert(JobGroup.Kind kind, String name) {
		Long id = this.sql.cached.query(this.sql.vendor.returningIds("INSERT INTO " + this.groups
				+ " (kind, name, created_at) VALUES (?, ?, " + this.sql.now() + ")"), (rs) -> rs.next() ? rs.getLong(1) : null,
				kind.ordinal(), name);
		if (id == null) {
			throw new IllegalStateException("The insert of " + kind + " '" + name + "' returned no id");
		}
		return id;
	}

	@Override
	public void groupAddMemberIds(long id, long firstId, long lastId) {
		this.sql.cached.update("UPDATE " + this.groups + " SET first_id = CASE WHEN first_id IS NULL OR first_id > ? THEN ?"
				+ " ELSE first_id END, last_id = CASE WHEN last_id IS NULL OR last_id < ? THEN ? ELSE last_id END WHERE id = ?",
				firstId, firstId, lastId, lastId, id);
	}

	/**
	 * The condition that job {@code alias} is a member of the group whose id is bound three times: in the range
	 * of ids the group recorded ({@link #groupAddMemberIds}), then its {@code batch_id}. On PostgreSQL the batch
	 * index holds only the members RUNNING or WAITING, so the members in any state are found through the
	 * primary key; elsewhere either index serves. A group recorded no range only if it was created by a version
	 * that did not record it and migrated empty: then every id.
	 */
	String memberOf(String alias) {
		return alias + ".id BETWEEN COALESCE((SELECT first_id FROM " + this.groups + " WHERE id = ?), 0) AND COALESCE((SELECT"
				+ " last_id FROM " + this.groups + " WHERE id = ?), " + Long.MAX_VALUE + ") AND " + alias + ".batch_id = ?";
	}

	@Override
	public void dependencyInsertMany(List<Dependency> edges) {
		this.sql.cached.batchUpdate("INSERT INTO " + this.dependencies + " (depends_on, job_id, run_anyway) VALUES (?, ?, ?)",
				edges, 1000, (ps, edge) -> {
					ps.setLong(1, edge.dependsOn());
					ps.setLong(2, edge.jobId());
					ps.setInt(3, edge.runAnyway() ? 1 : 0);
				});
	}

	@Override
	public boolean groupLockForAdding(long id) {
		return this.sql.cached.update("UPDATE " + this.groups + " SET version = version + 1 WHERE id = ?"
				+ " AND finished_at IS NULL AND cancelled = 0", id) == 1;
	}

	@Override
	public void onReady(Consumer<Set<String>> listener) {
		this.ends.onReady(listener);
	}

	// ---- ends: GroupEnds ----------------------------------------------------------------------

	@Override
	public void groupAfterEnded(Collection<Long> endedJobIds, Collection<Long> groupIds, boolean steps) {
		this.ends.groupAfterEnded(endedJobIds, groupIds, steps);
	}

	@Override
	public int groupSweep() {
		return this.ends.groupSweep();
	}

	// ---- reads ---------------------------------------------------------------------------------

	@Override
	public Optional<GroupRow> groupGet(long id) {
		return this.sql.jdbc.query("SELECT id, kind, name, created_at, finished_at, cancelled FROM " + this.groups
				+ " WHERE id = ?", (rs, row) -> new GroupRow(rs.getLong(1), JobGroup.Kind.values()[rs.getInt(2)],
						rs.getString(3), this.sql.vendor.readTime(rs, "created_at"),
						this.sql.vendor.readTime(rs, "finished_at"), rs.getInt(6) == 1), id).stream().findFirst();
	}

	@Override
	public Map<JobState, Long> groupCountByState(long id) {
		Map<JobState, Long> counts = new EnumMap<>(JobState.class);
		this.sql.jdbc.query("SELECT j.state, COUNT(*) FROM " + this.sql.table + " j WHERE " + memberOf("j")
				+ " GROUP BY j.state", (rs) -> {
					counts.put(JobState.ofCode(rs.getInt(1)), rs.getLong(2));
				}, id, id, id);
		return counts;
	}

	@Override
	public List<Job> groupMembers(long id, int limit) {
		return this.sql.jdbc.query("SELECT " + StoreSql.COLUMNS + " FROM " + this.sql.table + " j WHERE " + memberOf("j")
				+ " ORDER BY j.id LIMIT ?", this.sql.jobRowMapper(), id, id, id, limit);
	}

	@Override
	public List<Job> groupCallbacks(long id) {
		return this.sql.jdbc.query("SELECT " + StoreSql.COLUMNS + " FROM " + this.sql.table + " WHERE callback_for = ?"
				+ " ORDER BY id", this.sql.jobRowMapper(), id);
	}

	@Override
	public List<Dependency> dependencyListOfGroup(long id) {
		return this.sql.jdbc.query("SELECT e.depends_on, e.job_id, e.run_anyway FROM " + this.dependencies + " e JOIN "
				+ this.sql.table + " w ON w.id = e.job_id WHERE " + memberOf("w") + " ORDER BY e.job_id, e.depends_on",
				(rs, row) -> new Dependency(rs.getLong(1), rs.getLong(2), rs.getInt(3) == 1), id, id, id);
	}

	@Override
	public List<StepResult> dependencyResults(long jobId) {
		return this.sql.jdbc.query("SELECT d.step, d.id, d.state, d.result FROM " + this.dependencies + " e JOIN "
				+ this.sql.table + " d ON d.id = e.depends_on WHERE e.job_id = ? ORDER BY d.id",
				(rs, row) -> new StepResult(rs.getString(1), rs.getLong(2), JobState.ofCode(rs.getInt(3)), rs.getString(4)),
				jobId);
	}

	// ---- cancel and retention ------------------------------------------------------------------

	@Override
	public int groupCancel(long id) {
		int ended = this.sql.inTransaction(() -> {
			// the group's row first, as a look that finishes it locks it before its callbacks
			if (this.sql.jdbc.update("UPDATE " + this.groups + " SET cancelled = 1 WHERE id = ?", id) == 0) {
				return -1;
			}
			GroupRow group = groupGet(id).orElseThrow();
			String reason = "Cancelled with its " + ((group.kind() == JobGroup.Kind.WORKFLOW) ? "workflow " : "batch ")
					+ id;
			String notStarted = " AND state IN (" + READY + ", " + WAITING + ")";
			int cancelled = this.sql.jdbc.update("UPDATE " + this.sql.table + " SET state = " + CANCELLED + ", finished_at = "
					+ this.sql.now() + ", last_error = ? WHERE id IN (SELECT j.id FROM " + this.sql.table + " j WHERE "
					+ memberOf("j") + notStarted + ")" + notStarted, reason, id, id, id);
			cancelled += this.sql.jdbc.update("UPDATE " + this.sql.table + " SET state = " + CANCELLED + ", finished_at = "
					+ this.sql.now() + ", last_error = ? WHERE callback_for = ?" + notStarted, reason, id);
			int asked = this.sql.jdbc.update("UPDATE " + this.sql.table + " SET cancel_requested = TRUE WHERE batch_id = ?"
					+ " AND state = " + RUNNING, id);
			return cancelled + asked;
		});
		if (ended >= 0) {
			// the jobs just cancelled are ends: the group is looked at once they are committed
			groupAfterEnded(List.of(), List.of(id), false);
		}
		return ended;
	}

	@Override
	public int groupDeleteEmptied() {
		// found by plain reads, then deleted by id: on MariaDB a DELETE whose NOT EXISTS looked at the job table
		// share-locked the index entries it passed, and deadlocked with a batch being enqueued meanwhile. Nothing
		// comes back: no job joins a finished group, and no job id is used twice. A group's remaining member is
		// looked for by a subquery run for each group, a walk of its range of ids that stops at the first: a NOT
		// EXISTS let PostgreSQL's planner hash the whole job table against the groups
		List<Long> emptied = new ArrayList<>();
		this.sql.jdbc.query("SELECT b.id, (SELECT j.id FROM " + this.sql.table + " j WHERE j.id BETWEEN COALESCE(b.first_id, 0)"
				+ " AND COALESCE(b.last_id, " + Long.MAX_VALUE + ") AND j.batch_id = b.id ORDER BY j.id LIMIT 1) FROM " + this.groups
				+ " b WHERE b.finished_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " + this.sql.table + " c WHERE c.callback_for"
				+ " = b.id) ORDER BY b.id", (rs) -> {
					long id = rs.getLong(1);
					rs.getLong(2);
					if (rs.wasNull()) {
						emptied.add(id);
					}
				});
		int groupsDeleted = 0;
		for (List<Long> chunk : StoreSql.chunks(emptied)) {
			groupsDeleted += this.sql.jdbc.update("DELETE FROM " + this.groups + " WHERE id IN ("
					+ StoreSql.placeholders(chunk.size()) + ")", chunk.toArray());
		}
		List<Long> gone = this.sql.jdbc.queryForList("SELECT DISTINCT e.job_id FROM " + this.dependencies + " e WHERE NOT EXISTS"
				+ " (SELECT 1 FROM " + this.sql.table + " j WHERE j.id = e.job_id) ORDER BY e.job_id", Long.class);
		for (List<Long> chunk : StoreSql.chunks(gone)) {
			this.sql.jdbc.update("DELETE FROM " + this.dependencies + " WHERE job_id IN (" + StoreSql.placeholders(chunk.size())
					+ ")", chunk.toArray());
		}
		return groupsDeleted;
	}

}
