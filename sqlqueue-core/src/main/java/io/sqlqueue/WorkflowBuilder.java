package io.sqlqueue;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * A workflow being put together: named steps, each a job that runs once the steps it comes {@link #after(String)}
 * have succeeded, and callbacks that run when every step has finished. {@link #enqueue()} writes the whole graph
 * in one transaction (the caller's, when there is one), after checking that every step named exists and that no
 * step waits for itself through others; nothing is written when a check fails.
 *
 * <pre>{@code
 * import static io.sqlqueue.WorkflowBuilder.after;
 *
 * EnqueuedWorkflow order = jobs.workflow("order " + orderId)
 *     .add("charge", "charge-card", new Charge(orderId))
 *     .add("reserve", "reserve-stock", new Reserve(orderId), after("charge"))
 *     .add("email", "send-confirmation", new Email(orderId), after("charge"))
 *     .add("ship", "ship-order", new Ship(orderId), after("reserve"), after("email").runAnyway())
 *     .onFailure("refund", new Refund(orderId))
 *     .enqueue();
 * }</pre>
 *
 * <p>A step whose dependency dies or is cancelled is cancelled with the reason, and so are the steps after it,
 * unless the dependency was declared with {@link After#runAnyway()}. A step reads the results of the steps it
 * depends on with {@link JobContext#dependencyResult(String, Class)}.
 */
public final class WorkflowBuilder {

	private final JobGroups groups;

	private final String name;

	private final List<Step> steps = new ArrayList<>();

	private final List<Callback> callbacks = new ArrayList<>();

	WorkflowBuilder(JobGroups groups, String name) {
		this.groups = groups;
		this.name = JobGroups.validateName(name, "workflow");
	}

	/** A dependency on step {@code step}: wait until it succeeded, and be cancelled if it dies or is cancelled. */
	public static After after(String step) {
		return new After(step, false);
	}

	/**
	 * A dependency of one step on another.
	 *
	 * @param step the step waited for
	 * @param runsAnyway whether the waiting step runs once {@code step} has finished in any state
	 */
	public record After(String step, boolean runsAnyway) {

		public After {
			if (step == null || step.isBlank()) {
				throw new IllegalArgumentException("A dependency must name a step");
			}
		}

		/** The same dependency, met once the step has finished, whether it succeeded, died or was cancelled. */
		public After runAnyway() {
			return new After(this.step, true);
		}

	}

	/**
	 * A step of the workflow.
	 *
	 * @param name its name, unique in the workflow
	 * @param request the job it runs
	 * @param after the steps it waits for
	 */
	public record Step(String name, JobRequest request, List<After> after) {

		public Step {
			after = List.copyOf(after);
		}

	}

	/**
	 * A job to run when the workflow or batch has finished.
	 *
	 * @param when {@code onComplete}, {@code onSuccess} or {@code onFailure}
	 * @param request the job
	 */
	public record Callback(String when, JobRequest request) {
	}

	/** Adds step {@code step}: a job of {@code type} with default options, after {@code after}. */
	public WorkflowBuilder add(String step, String type, @Nullable Object payload, After... after) {
		return add(step, type, payload, EnqueueOptions.defaults(), after);
	}

	/**
	 * Adds step {@code step}: a job of {@code type} enqueued with {@code options}, after {@code after}.
	 * @throws IllegalArgumentException when the name is blank or already taken, or the options give a parent or a
	 * unique key
	 */
	public WorkflowBuilder add(String step, String type, @Nullable Object payload, EnqueueOptions options,
			After... after) {
		String name = JobGroups.validateName(step, "step");
		if (this.steps.stream().anyMatch((s) -> s.name().equals(name))) {
			throw new IllegalArgumentException("Workflow '" + this.name + "' already has a step named '" + name + "'");
		}
		if (options.parentId() != null) {
			throw new IllegalArgumentException("Step '" + name + "' has a parent job: a step waits for other steps"
					+ " with after(...) instead");
		}
		if (options.uniqueKey() != null) {
			throw new IllegalArgumentException("Step '" + name + "' has a unique key: a step is always enqueued with"
					+ " its workflow, never replaced by another job");
		}
		this.steps.add(new Step(name, new JobRequest(type, payload, options), List.of(after)));
		return this;
	}

	/** Runs a job of {@code type} once every step has finished, whatever their outcome. */
	public WorkflowBuilder onComplete(String type, @Nullable Object payload) {
		return onComplete(JobRequest.of(type, payload));
	}

	/** As {@link #onComplete(String, Object)}, the callback enqueued with its request's options (its queue, priority...). */
	public WorkflowBuilder onComplete(JobRequest callback) {
		this.callbacks.add(new Callback(JobGroups.ON_COMPLETE, java.util.Objects.requireNonNull(callback, "callback must not be null")));
		return this;
	}

	/** Runs a job of {@code type} once every step has succeeded. */
	public WorkflowBuilder onSuccess(String type, @Nullable Object payload) {
		return onSuccess(JobRequest.of(type, payload));
	}

	/** As {@link #onSuccess(String, Object)}, the callback enqueued with its request's options (its queue, priority...). */
	public WorkflowBuilder onSuccess(JobRequest callback) {
		this.callbacks.add(new Callback(JobGroups.ON_SUCCESS, java.util.Objects.requireNonNull(callback, "callback must not be null")));
		return this;
	}

	/** Runs a job of {@code type} once every step has finished, if one died or was cancelled. */
	public WorkflowBuilder onFailure(String type, @Nullable Object payload) {
		return onFailure(JobRequest.of(type, payload));
	}

	/** As {@link #onFailure(String, Object)}, the callback enqueued with its request's options (its queue, priority...). */
	public WorkflowBuilder onFailure(JobRequest callback) {
		this.callbacks.add(new Callback(JobGroups.ON_FAILURE, java.util.Objects.requireNonNull(callback, "callback must not be null")));
		return this;
	}

	/** The workflow's name. */
	public String name() {
		return this.name;
	}

	/** The steps added so far, in order. */
	public List<Step> steps() {
		return List.copyOf(this.steps);
	}

	/** The callbacks added so far. */
	public List<Callback> callbacks() {
		return List.copyOf(this.callbacks);
	}

	/**
	 * Checks the graph and enqueues every step and callback in one transaction.
	 * @throws IllegalArgumentException when there is no step, a step waits for a step that does not exist, or
	 * steps wait for each other in a cycle (named in the message); nothing is written then
	 */
	public EnqueuedWorkflow enqueue() {
		return this.groups.enqueue(this);
	}

	/**
	 * What {@link #enqueue()} wrote.
	 *
	 * @param id the workflow's id, for {@link JobQueue#workflow(long)}
	 * @param steps each step's job id by step name
	 */
	public record EnqueuedWorkflow(long id, java.util.Map<String, Long> steps) {

		public EnqueuedWorkflow {
			steps = java.util.Map.copyOf(Objects.requireNonNull(steps));
		}

	}

}
