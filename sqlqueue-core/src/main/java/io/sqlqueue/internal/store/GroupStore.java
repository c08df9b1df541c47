package io.sqlqueue.internal.store;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import io.sqlqueue.Job;
import io.sqlqueue.JobGroup;
import io.sqlqueue.JobState;

/**
 * The statements of batches and workflows: groups of jobs, the dependencies between a workflow's steps, and
 * the release of their callbacks, exactly once, when the last member finishes.
 */
public interface GroupStore {

	/** Inserts a group. @return its id */
	long groupInsert(JobGroup.Kind kind, String name);

	/**
	 * Records that jobs {@code firstId} to {@code lastId} (the lowest and highest id of those just inserted) include
	 * members of group {@code id}: the group's members are then found in the range of ids it has recorded. Called
	 * in the transaction that inserted them, by whoever holds the group's row (its creator, or
	 * {@link #groupLockForAdding}).
	 */
	void groupAddMemberIds(long id, long firstId, long lastId);

	/** Inserts the dependencies of a workflow's steps. */
	void dependencyInsertMany(List<Dependency> dependencies);

	/**
	 * Locks group {@code id} for new members until the transaction ends.
	 * @return whether it exists and is neither finished nor cancelled
	 */
	boolean groupLockForAdding(long id);

	/**
	 * Releases what the end of {@code endedJobIds} (members of {@code groupIds} that have just SUCCEEDED, died or
	 * been cancelled) allows, once those ends are committed: at once when the caller runs no transaction, else
	 * after its transaction commits. The steps whose dependencies are met become READY, those depending on a step
	 * that will never succeed are cancelled with the reason, and each group left with no unfinished member is
	 * finished and its callbacks released or cancelled. A failure here is logged and left to {@link #groupSweep()}:
	 * the ends themselves are written.
	 * @param steps whether some of {@code endedJobIds} are workflow steps, which other steps may depend on
	 */
	void groupAfterEnded(Collection<Long> endedJobIds, Collection<Long> groupIds, boolean steps);

	/**
	 * Does for every open group what {@link #groupAfterEnded} would: for members that ended where no outcome was
	 * written (a lease that expired on the last attempt) or whose writer crashed.
	 * @return how many groups were finished
	 */
	int groupSweep();

	/** Told of the queues that have jobs made READY by a group, while the transaction that did it is open. */
	void onReady(Consumer<Set<String>> queues);

	Optional<GroupRow> groupGet(long id);

	/** How many members of group {@code id} are in each state. */
	Map<JobState, Long> groupCountByState(long id);

	/** The members of group {@code id}, oldest first, at most {@code limit}. */
	List<Job> groupMembers(long id, int limit);

	/** The callbacks of group {@code id}. */
	List<Job> groupCallbacks(long id);

	/** The dependencies between the steps of group {@code id}. */
	List<Dependency> dependencyListOfGroup(long id);

	/** The steps job {@code jobId} depends on, with their states and results. */
	List<StepResult> dependencyResults(long jobId);

	/**
	 * Cancels group {@code id}: its members and callbacks not started are CANCELLED, running members are asked
	 * to stop, and no callback runs.
	 * @return how many jobs were cancelled or asked to stop; {@code -1} when there is no such group
	 */
	int groupCancel(long id);

	/** Deletes finished groups none of whose jobs remain, and their dependencies. @return how many */
	int groupDeleteEmptied();

}
