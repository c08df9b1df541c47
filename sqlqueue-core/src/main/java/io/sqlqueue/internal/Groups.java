package io.sqlqueue.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.springframework.dao.PessimisticLockingFailureException;

import io.sqlqueue.BatchBuilder;
import io.sqlqueue.Job;
import io.sqlqueue.JobGroup;
import io.sqlqueue.JobGroups;
import io.sqlqueue.JobRequest;
import io.sqlqueue.JobState;
import io.sqlqueue.WorkflowBuilder;
import io.sqlqueue.WorkflowBuilder.After;
import io.sqlqueue.WorkflowBuilder.Callback;
import io.sqlqueue.WorkflowBuilder.Step;
import io.sqlqueue.internal.store.Dependency;
import io.sqlqueue.internal.store.GroupRow;
import io.sqlqueue.internal.store.GroupStore;
import io.sqlqueue.internal.store.NewJob.Membership;
import io.sqlqueue.internal.store.StepResult;

/**
 * Batches and workflows: their graphs checked, their jobs, callbacks and dependencies written in one transaction,
 * members added later, and read back as {@link JobGroup}s.
 */
public final class Groups {

	private final QueueServices services;

	Groups(QueueServices services) {
		this.services = services;
	}

	private GroupStore store() {
		return this.services.store().groups();
	}

	/** Checks {@code workflow}'s graph and enqueues it. */
	public WorkflowBuilder.EnqueuedWorkflow enqueue(WorkflowBuilder workflow) {
		List<Step> steps = workflow.steps();
		if (steps.isEmpty()) {
			throw new IllegalArgumentException("Workflow '" + workflow.name() + "' has no step");
		}
		checkGraph(workflow.name(), steps);
		return this.services.store().inTransaction(() -> {
			long id = store().groupInsert(JobGroup.Kind.WORKFLOW, workflow.name());
			List<JobRequest> requests = new ArrayList<>();
			List<Membership> memberships = new ArrayList<>();
			for (Step step : steps) {
				requests.add(step.request());
				memberships.add(new Membership(id, step.name(), null, !step.after().isEmpty()));
			}
			List<Long> ids = this.services.enqueuer().enqueueInGroup(requests, memberships);
			recordMemberIds(id, ids);
			Map<String, Long> byName = new LinkedHashMap<>();
			for (int i = 0; i < steps.size(); i++) {
				byName.put(steps.get(i).name(), ids.get(i));
			}
			List<Dependency> edges = new ArrayList<>();
			for (Step step : steps) {
				for (After after : step.after()) {
					edges.add(new Dependency(byName.get(after.step()), byName.get(step.name()), after.runsAnyway()));
				}
			}
			store().dependencyInsertMany(edges);
			enqueueCallbacks(id, workflow.callbacks());
			return new WorkflowBuilder.EnqueuedWorkflow(id, byName);
		});
	}

	/**
	 * Rejects a step waiting for a step that does not exist, for itself, or for itself through others (a cycle,
	 * named in the message).
	 */
	static void checkGraph(String workflow, List<Step> steps) {
		Map<String, Step> byName = new HashMap<>();
		steps.forEach((step) -> byName.put(step.name(), step));
		for (Step step : steps) {
			for (After after : step.after()) {
				if (!byName.containsKey(after.step())) {
					throw new IllegalArgumentException("Step '" + step.name() + "' of workflow '" + workflow
							+ "' comes after step '" + after.step() + "', which the workflow does not have (it has "
							+ String.join(", ", byName.keySet().stream().sorted().toList()) + ")");
				}
			}
		}
		// depth-first, keeping the path: a step met again on the path closes a cycle
		Map<String, Integer> done = new HashMap<>();
		for (Step start : steps) {
			Deque<String> path = new ArrayDeque<>();
			visit(workflow, start.name(), byName, done, path);
		}
	}

	private static void visit(String workflow, String name, Map<String, Step> steps, Map<String, Integer> marks,
			Deque<String> path) {
		Integer mark = marks.get(name);
		if (mark != null && mark == 2) {
			return;
		}
		if (mark != null && mark == 1) {
			List<String> order = new ArrayList<>(path);
			Collections.reverse(order);
			List<String> cycle = new ArrayList<>(order.subList(order.indexOf(name), order.size()));
			cycle.add(name);
			throw new IllegalArgumentException("Steps of workflow '" + workflow + "' wait for each other in a cycle ("
					+ String.join(" waits for ", cycle) + "); nothing was enqueued");
		}
		marks.put(name, 1);
		path.push(name);
		for (After after : steps.get(name).after()) {
			visit(workflow, after.step(), steps, marks, path);
		}
		path.pop();
		marks.put(name, 2);
	}

	/** Enqueues {@code batch}. */
	public BatchBuilder.EnqueuedBatch enqueue(BatchBuilder batch) {
		List<JobRequest> jobs = batch.jobs();
		if (jobs.isEmpty()) {
			throw new IllegalArgumentException("Batch '" + batch.name() + "' has no job: add jobs before enqueueing it");
		}
		return this.services.store().inTransaction(() -> {
			long id = store().groupInsert(JobGroup.Kind.BATCH, batch.name());
			List<Long> ids = insertMembers(id, jobs);
			enqueueCallbacks(id, batch.callbacks());
			return new BatchBuilder.EnqueuedBatch(id, ids);
		});
	}

	private List<Long> insertMembers(long id, List<JobRequest> jobs) {
		Membership member = new Membership(id, null, null, false);
		List<Long> ids = this.services.enqueuer().enqueueInGroup(jobs, Collections.nCopies(jobs.size(), member));
		recordMemberIds(id, ids);
		return ids;
	}

	/** Records the range of ids of the members just inserted, where reads of the group find its members. */
	private void recordMemberIds(long id, List<Long> ids) {
		store().groupAddMemberIds(id, Collections.min(ids), Collections.max(ids));
	}

	private void enqueueCallbacks(long id, List<Callback> callbacks) {
		if (callbacks.isEmpty()) {
			return;
		}
		List<JobRequest> requests = callbacks.stream().map(Callback::request).toList();
		List<Membership> memberships = callbacks.stream().map((c) -> new Membership(null, c.when(), id, true)).toList();
		this.services.enqueuer().enqueueInGroup(requests, memberships);
	}

	/** Adds {@code requests} to batch {@code batchId}, refused once it has finished or was cancelled. */
	public List<Long> addToBatch(long batchId, List<JobRequest> requests) {
		if (requests.isEmpty()) {
			return List.of();
		}
		requests.forEach(JobGroups::checkMember);
		return this.services.store().inTransaction(() -> {
			if (!store().groupLockForAdding(batchId)) {
				GroupRow group = store().groupGet(batchId).orElseThrow(() -> new IllegalArgumentException(
						"There is no batch " + batchId + " to add jobs to"));
				throw new IllegalStateException("Batch " + batchId + " (" + group.name() + ") "
						+ (group.cancelled() ? "was cancelled" : "has finished") + ": no job can be added to it");
			}
			return insertMembers(batchId, requests);
		});
	}

	/** Group {@code id} as it stands. */
	public Optional<JobGroup> find(long id) {
		return store().groupGet(id).map((row) -> {
			Map<JobState, Long> counts = store().groupCountByState(id);
			List<Job> members = store().groupMembers(id, JobGroup.MEMBERS_SHOWN);
			Map<Long, String> names = new HashMap<>();
			members.forEach((job) -> names.put(job.id(), job.step()));
			Map<Long, List<String>> after = new HashMap<>();
			for (Dependency edge : store().dependencyListOfGroup(id)) {
				after.computeIfAbsent(edge.jobId(), (k) -> new ArrayList<>())
					.add(names.getOrDefault(edge.dependsOn(), String.valueOf(edge.dependsOn())));
			}
			return new JobGroup(row.id(), row.kind(), row.name(), row.createdAt(), row.finishedAt(), row.cancelled(),
					counts, members.stream().map((job) -> member(job, after.getOrDefault(job.id(), List.of()))).toList(),
					store().groupCallbacks(id).stream().map((job) -> member(job, List.of())).toList());
		});
	}

	private static JobGroup.Member member(Job job, List<String> after) {
		return new JobGroup.Member(job.id(), job.step(), job.type(), job.state(), after, job.lastError());
	}

	/** Cancels group {@code id}. */
	public int cancel(long id) {
		int cancelled;
		try {
			cancelled = store().groupCancel(id);
		}
		catch (PessimisticLockingFailureException ex) {
			// a completer finishing members of the group at the same moment locked them in the other order
			cancelled = store().groupCancel(id);
		}
		if (cancelled < 0) {
			throw new IllegalArgumentException("There is no batch or workflow " + id);
		}
		return cancelled;
	}

	/** The result of step {@code step} that job {@code jobId} depends on, bound to {@code type}. */
	public <T> T dependencyResult(Job job, String step, Class<T> type) {
		List<StepResult> results = store().dependencyResults(job.id());
		StepResult found = results.stream().filter((r) -> step.equals(r.step())).findFirst()
			.orElseThrow(() -> new IllegalArgumentException("Job " + job.id() + (job.step() != null
					? " (step '" + job.step() + "')" : "") + " depends on no step '" + step + "'"
					+ (results.isEmpty() ? "" : ": it depends on "
							+ results.stream().map(StepResult::step).collect(Collectors.joining(", ")))));
		if (found.result() == null) {
			return null;
		}
		return type.cast(this.services.codec().decode(found.result(), type));
	}

	/** The group a job is a member or callback of. */
	public Optional<JobGroup> groupOf(Job job) {
		Long id = (job.batchId() != null) ? job.batchId() : job.callbackFor();
		return (id != null) ? find(id) : Optional.empty();
	}

}
