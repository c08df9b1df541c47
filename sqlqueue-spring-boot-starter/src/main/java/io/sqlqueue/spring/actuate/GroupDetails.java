package io.sqlqueue.spring.actuate;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;

import io.sqlqueue.JobGroup;
import io.sqlqueue.JobState;

/**
 * A batch or workflow as {@code GET /actuator/sqlqueue/groups/{id}} shows it.
 *
 * @param id its id
 * @param kind {@code BATCH} or {@code WORKFLOW}
 * @param name the name it was given
 * @param createdAt when it was enqueued
 * @param finishedAt when its last member finished, or {@code null}
 * @param cancelled whether it was cancelled
 * @param total how many members it has
 * @param counts how many members are in each state, every state listed
 * @param members its members, oldest first (at most {@value JobGroup#MEMBERS_SHOWN})
 * @param callbacks the jobs that run when it finishes
 */
public record GroupDetails(long id, String kind, String name, Instant createdAt, @Nullable Instant finishedAt,
		boolean cancelled, long total, Map<String, Long> counts, List<Member> members, List<Member> callbacks) {

	/** Refuses a path whose first part is not {@code groups} (the only section with two parts). */
	static void requireGroups(String section) {
		if (!section.equals("groups")) {
			String message = "No '" + section + "' here: batches and workflows are under /groups/{id}";
			throw new InvalidEndpointRequestException(message, message);
		}
	}

	static GroupDetails of(JobGroup group) {
		Map<String, Long> counts = new LinkedHashMap<>();
		for (JobState state : JobState.values()) {
			counts.put(state.name(), group.count(state));
		}
		return new GroupDetails(group.id(), group.kind().name(), group.name(), group.createdAt(), group.finishedAt(),
				group.cancelled(), group.total(), counts, group.members().stream().map(Member::of).toList(),
				group.callbacks().stream().map(Member::of).toList());
	}

	/**
	 * A member or callback.
	 *
	 * @param jobId the job's id, for {@code GET /actuator/sqlqueue/{id}}
	 * @param step its step name in a workflow, or when a callback runs ({@code onComplete}, {@code onSuccess},
	 * {@code onFailure}); {@code null} for a batch's member
	 * @param type its job type
	 * @param state its state
	 * @param after the steps it waits for
	 * @param lastError the first line of its last error (its job has the stack trace), or {@code null}
	 */
	public record Member(long jobId, @Nullable String step, String type, String state, List<String> after,
			@Nullable String lastError) {

		static Member of(JobGroup.Member member) {
			return new Member(member.jobId(), member.step(), member.type(), member.state().name(), member.after(),
					SqlQueueEndpoint.JobSummary.firstLine(member.lastError()));
		}

	}

	/**
	 * What {@code DELETE /actuator/sqlqueue/groups/{id}} did.
	 *
	 * @param id the batch or workflow
	 * @param cancelled how many of its jobs were cancelled or asked to stop
	 */
	public record Cancelled(long id, int cancelled) {
	}

}
