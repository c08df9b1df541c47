package io.sqlqueue.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.MDC;

import io.sqlqueue.Job;
import io.sqlqueue.JobContext;
import io.sqlqueue.JobInterceptor;
import io.sqlqueue.JobQuery;
import io.sqlqueue.JobRequest;
import io.sqlqueue.JobState;
import io.sqlqueue.MdcJobInterceptor;
import io.sqlqueue.NonRetryableJobException;
import io.sqlqueue.testing.QueueFixture;
import io.sqlqueue.testing.TestDatabase;

/** Interceptors wrap enqueue and processing in registration order; the MDC interceptor names the job. */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class InterceptorTests {

	@Parameter
	TestDatabase db;

	private final List<String> events = new CopyOnWriteArrayList<>();

	private QueueFixture fixture;

	@AfterEach
	void stopWorkers() {
		if (this.fixture != null) {
			this.fixture.close();
		}
	}

	@Test
	void interceptorsWrapEnqueueAndProcessingFirstRegisteredOutermost() {
		this.fixture = QueueFixture.fresh(this.db,
				(builder) -> builder.interceptor(new Recording("outer")).interceptor(new Recording("inner")));
		AtomicReference<Map<String, String>> handlerMetadata = new AtomicReference<>();

		long id = this.fixture.queue().enqueue("greet", "Ada");

		assertThat(this.events).containsExactly("outer enqueue before", "inner enqueue before",
				"inner enqueue after 1 job", "outer enqueue after 1 job");
		this.events.clear();

		this.fixture.start(this.fixture.worker().handler("greet", String.class, (name, ctx) -> {
			this.events.add("handler " + name);
			handlerMetadata.set(ctx.metadata());
		}));
		Job done = this.fixture.awaitState(id, JobState.SUCCEEDED);

		assertThat(this.events).containsExactly("outer process before", "inner process before", "handler Ada",
				"inner process after", "outer process after");
		assertThat(handlerMetadata.get()).containsEntry("added-by-outer", "yes").containsEntry("added-by-inner", "yes");
		assertThat(done.metadata()).containsEntry("added-by-outer", "yes").containsEntry("added-by-inner", "yes");
	}

	@Test
	void aBatchAndTheFollowUpsOfAHandlerPassThroughTheEnqueueInterceptorsToo() {
		this.fixture = QueueFixture.fresh(this.db, (builder) -> builder.interceptor(new Recording("outer")));
		List<Long> batch = this.fixture.queue()
			.enqueueAll(List.of(JobRequest.of("order", "a"), JobRequest.of("order", "b")));
		assertThat(this.events).containsExactly("outer enqueue before", "outer enqueue after 2 job");
		this.events.clear();

		this.fixture.start(this.fixture.worker()
			.handler("order", String.class, (order, ctx) -> ctx.enqueueOnSuccess("receipt", "receipt for " + order))
			.handler("receipt", String.class, (receipt, ctx) -> {
			}));

		batch.forEach((id) -> this.fixture.awaitState(id, JobState.SUCCEEDED));
		List<Job> receipts = await().atMost(QueueFixture.PATIENCE)
			.until(() -> this.fixture.queue().list(JobQuery.all().ofType("receipt")), (jobs) -> jobs.size() == 2);
		assertThat(receipts).allSatisfy((receipt) -> assertThat(receipt.metadata()).containsEntry("added-by-outer", "yes"));
		assertThat(this.events).contains("outer enqueue before");
	}

	@Test
	void anInterceptorCanRejectAnEnqueueAndNothingIsWritten() {
		this.fixture = QueueFixture.fresh(this.db, (builder) -> builder.interceptor(new JobInterceptor() {
			@Override
			public List<Long> aroundEnqueue(List<JobRequest> jobs, EnqueueChain chain) {
				if (jobs.stream().anyMatch((job) -> !job.options().metadata().containsKey("tenant"))) {
					throw new IllegalArgumentException("Every job needs a tenant");
				}
				return chain.proceed(jobs);
			}
		}));

		assertThatThrownBy(() -> this.fixture.queue().enqueue("greet", "Ada"))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessage("Every job needs a tenant");
		assertThat(this.fixture.jobCount()).isZero();
	}

	@Test
	void aFailureInAroundProcessCountsAsTheHandlersAndTheHandlerDoesNotRun() {
		this.fixture = QueueFixture.fresh(this.db, (builder) -> builder.interceptor(new JobInterceptor() {
			@Override
			public void aroundProcess(JobContext job, Object payload, ProcessChain chain) {
				if ("forbidden".equals(payload)) {
					throw new NonRetryableJobException("payload is forbidden here");
				}
			}
		}));
		List<String> handled = new CopyOnWriteArrayList<>();
		this.fixture.start(this.fixture.worker().handler("greet", String.class, (name, ctx) -> handled.add(name)));

		long id = this.fixture.queue().enqueue("greet", "forbidden");

		Job dead = this.fixture.awaitState(id, JobState.DEAD);
		assertThat(dead.attempt()).isEqualTo(1);
		assertThat(dead.lastError()).contains("payload is forbidden here");
		assertThat(handled).isEmpty();
	}

	@Test
	void mdcNamesTheJobWhileTheHandlerRunsAndIsClearedAfterwards() {
		AtomicReference<Map<String, String>> afterChain = new AtomicReference<>();
		JobInterceptor observer = new JobInterceptor() {
			@Override
			public void aroundProcess(JobContext job, Object payload, ProcessChain chain) throws Exception {
				chain.proceed();
				Map<String, String> left = MDC.getCopyOfContextMap();
				afterChain.set((left != null) ? left : Map.of());
			}
		};
		this.fixture = QueueFixture.fresh(this.db,
				(builder) -> builder.interceptor(observer).interceptor(new MdcJobInterceptor()));
		AtomicReference<Map<String, String>> during = new AtomicReference<>();
		this.fixture.start(this.fixture.worker()
			.handler("greet", String.class, (name, ctx) -> during.set(MDC.getCopyOfContextMap())));

		long id = this.fixture.queue().enqueue("greet", "Ada");

		this.fixture.awaitState(id, JobState.SUCCEEDED);
		assertThat(during.get()).containsEntry("sqlqueue.job.id", Long.toString(id))
			.containsEntry("sqlqueue.job.type", "greet")
			.containsEntry("sqlqueue.job.queue", "default")
			.containsEntry("sqlqueue.job.attempt", "1");
		assertThat(afterChain.get()).doesNotContainKeys("sqlqueue.job.id", "sqlqueue.job.type", "sqlqueue.job.queue",
				"sqlqueue.job.attempt");
	}

	/** Records when it runs, and marks the jobs it enqueues. */
	private final class Recording implements JobInterceptor {

		private final String name;

		Recording(String name) {
			this.name = name;
		}

		@Override
		public List<Long> aroundEnqueue(List<JobRequest> jobs, EnqueueChain chain) {
			InterceptorTests.this.events.add(this.name + " enqueue before");
			List<JobRequest> marked = jobs.stream()
				.map((job) -> JobRequest.of(job.type(), job.payload(),
						job.options().withMetadata("added-by-" + this.name, "yes")))
				.toList();
			List<Long> ids = chain.proceed(marked);
			InterceptorTests.this.events.add(this.name + " enqueue after " + ids.size() + " job");
			return ids;
		}

		@Override
		public void aroundProcess(JobContext job, Object payload, ProcessChain chain) throws Exception {
			InterceptorTests.this.events.add(this.name + " process before");
			try {
				chain.proceed();
			}
			finally {
				InterceptorTests.this.events.add(this.name + " process after");
			}
		}

	}

}
