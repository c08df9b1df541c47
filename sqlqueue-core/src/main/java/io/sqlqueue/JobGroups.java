package io.sqlqueue;

import java.util.List;
import java.util.Optional;

/**
 * Batches and workflows: groups of jobs whose callbacks run once, when the last of them has finished, and
 * whose steps wait for one another. Most code reaches them through {@link JobQueue#workflow(String)} and
 * {@link JobQueue#batch(String)}.
 */
public interface JobGroups {

	/** The callback that runs when every member has finished. */
	String ON_COMPLETE = "onComplete";

	/** The callback that runs when every member has succeeded. */
	String ON_SUCCESS = "onSuccess";

	/** The callback that runs when every member has finished and one died or was cancelled. */
	String ON_FAILURE = "onFailure";

	/** A new workflow named {@code name} (for people: names need not be unique). */
	default WorkflowBuilder workflow(String name) {
		return new WorkflowBuilder(this, name);
	}

	/** A new batch named {@code name} (for people: names need not be unique). */
	default BatchBuilder batch(String name) {
		return new BatchBuilder(this, name);
	}

	/** Enqueues {@code workflow}; what {@link WorkflowBuilder#enqueue()} calls. */
	WorkflowBuilder.EnqueuedWorkflow enqueue(WorkflowBuilder workflow);

	/** Enqueues {@code batch}; what {@link BatchBuilder#enqueue()} calls. */
	BatchBuilder.EnqueuedBatch enqueue(BatchBuilder batch);

	/**
	 * Adds members to batch {@code batchId}, in the caller's transaction when there is one.
	 * @return their ids
	 * @throws IllegalStateException when the batch has finished or was cancelled (nothing is added)
	 * @throws IllegalArgumentException when there is no such batch
	 */
	List<Long> addToBatch(long batchId, List<JobRequest> requests);

	/** The batch or workflow {@code id} as it stands now, or empty when there is none (or it was deleted). */
	Optional<JobGroup> find(long id);

	/**
	 * Cancels batch or workflow {@code id}: its jobs not started yet are CANCELLED, running ones are asked to stop
	 * ({@link JobContext#isCancellationRequested()}), and none of its callbacks runs.
	 * @return how many jobs were cancelled or asked to stop
	 * @throws IllegalArgumentException when there is no such batch or workflow
	 */
	int cancel(long id);

	/**
	 * {@code request}, checked as a batch's member: it has no unique key, since another job cannot stand in for it.
	 * @throws IllegalArgumentException when it has one
	 */
	static JobRequest checkMember(JobRequest request) {
		java.util.Objects.requireNonNull(request, "request must not be null");
		if (request.options().uniqueKey() != null) {
			throw new IllegalArgumentException("A job of type '" + request.type() + "' with unique key '"
					+ request.options().uniqueKey() + "' cannot be a batch's member: a member is always enqueued with"
					+ " its batch, never replaced by another job");
		}
		return request;
	}

	/**
	 * {@code name}, checked as the name of a {@code what} (batch, workflow, step): not blank, at most 255 characters.
	 * @throws IllegalArgumentException when it is not
	 */
	static String validateName(String name, String what) {
		if (name == null || name.isBlank()) {
			throw new IllegalArgumentException("A " + what + " name must not be blank");
		}
		if (name.length() > 255) {
			throw new IllegalArgumentException("A " + what + " name must be at most 255 characters, '"
					+ name.substring(0, 40) + "...' has " + name.length());
		}
		return name;
	}

}
