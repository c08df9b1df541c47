package io.sqlqueue;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import io.sqlqueue.internal.Groups;

/** The {@link JobGroups} of a {@link JdbcJobQueue}: {@link JdbcJobQueue#groups()}. */
final class JdbcJobGroups implements JobGroups {

	private final Groups groups;

	JdbcJobGroups(Groups groups) {
		this.groups = groups;
	}

	@Override
	public WorkflowBuilder.EnqueuedWorkflow enqueue(WorkflowBuilder workflow) {
		return this.groups.enqueue(Objects.requireNonNull(workflow, "workflow must not be null"));
	}

	@Override
	public BatchBuilder.EnqueuedBatch enqueue(BatchBuilder batch) {
		return this.groups.enqueue(Objects.requireNonNull(batch, "batch must not be null"));
	}

	@Override
	public List<Long> addToBatch(long batchId, List<JobRequest> requests) {
		return this.groups.addToBatch(batchId, List.copyOf(Objects.requireNonNull(requests, "requests must not be null")));
	}

	@Override
	public Optional<JobGroup> find(long id) {
		return this.groups.find(id);
	}

	@Override
	public int cancel(long id) {
		return this.groups.cancel(id);
	}

}
