package io.sqlqueue.spring.dashboard;

import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.HttpStatus;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.server.ResponseStatusException;

import io.sqlqueue.spring.QueueStatistics;
import io.sqlqueue.spring.SqlQueueAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * When the dashboard is served and who may act on it.
 */
@ExtendWith(OutputCaptureExtension.class)
class DashboardAutoConfigurationTests {

	private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, SqlQueueAutoConfiguration.class,
				DashboardAutoConfiguration.class))
		.withPropertyValues("spring.datasource.url=jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
				"sqlqueue.worker.enabled=false");

	@Test
	void isOffUnlessEnabled() {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed().doesNotHaveBean(DashboardReads.class).doesNotHaveBean(DashboardActions.class);
			assertThat(context.getBean(QueueStatistics.class).isRunning()).as("nobody subscribed: no counting").isFalse();
		});
	}

	@Test
	void isOffOutsideAServletWebApplication() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, SqlQueueAutoConfiguration.class,
					DashboardAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
					"sqlqueue.worker.enabled=false", "sqlqueue.dashboard.enabled=true")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(DashboardReads.class));
	}

	@Test
	void withoutSpringSecurityShowsButRefusesActions(CapturedOutput output) {
		this.runner.withPropertyValues("sqlqueue.dashboard.enabled=true").run((context) -> {
			assertThat(context).hasSingleBean(DashboardReads.class).hasSingleBean(DashboardActions.class);
			assertThat(context.getBean(QueueStatistics.class).isRunning()).as("the dashboard shows the sample").isTrue();
			DashboardRequests requests = context.getBean(DashboardRequests.class);
			assertThat(requests.mayAct(new MockHttpServletRequest(), "retry")).isFalse();
			assertThatExceptionOfType(ResponseStatusException.class)
				.isThrownBy(() -> requests.requireAction(new MockHttpServletRequest(), "pause"))
				.satisfies((ex) -> assertThat(ex.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN));
			assertThat(output).doesNotContain("is open");
		});
	}

	@Test
	void openWithoutSpringSecurityWhenAllowedAndWarnsAtStartup(CapturedOutput output) {
		this.runner.withPropertyValues("sqlqueue.dashboard.enabled=true", "sqlqueue.dashboard.allow-unsecured-actions=true")
			.run((context) -> {
				assertThat(context.getBean(DashboardRequests.class).mayAct(new MockHttpServletRequest(), "retry")).isTrue();
				assertThat(output).contains("WARN").contains("The sqlqueue dashboard at /sqlqueue is open")
					.contains("sqlqueue.dashboard.allow-unsecured-actions=true");
			});
	}

	@Test
	void readOnlyRefusesActionsWhateverTheAccessBeanSays() {
		this.runner
			.withPropertyValues("sqlqueue.dashboard.enabled=true", "sqlqueue.dashboard.read-only=true")
			.withBean(DashboardAccess.class, () -> (request, action) -> true)
			.run((context) -> assertThat(
					context.getBean(DashboardRequests.class).mayAct(new MockHttpServletRequest(), "cancel"))
				.isFalse());
	}

	@Test
	void anAccessBeanDecidesPerRequest() {
		this.runner.withPropertyValues("sqlqueue.dashboard.enabled=true")
			.withBean(DashboardAccess.class, () -> (request, action) -> request.isUserInRole("OPS"))
			.run((context) -> {
				MockHttpServletRequest operator = new MockHttpServletRequest();
				operator.addUserRole("OPS");
				DashboardRequests requests = context.getBean(DashboardRequests.class);
				assertThat(requests.mayAct(operator, "retry")).isTrue();
				assertThat(requests.mayAct(new MockHttpServletRequest(), "retry")).isFalse();
			});
	}

	@Test
	void aPathThatIsNoPathFailsStartupNamingTheProperty() {
		this.runner.withPropertyValues("sqlqueue.dashboard.enabled=true", "sqlqueue.dashboard.path=sqlqueue/")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("sqlqueue.dashboard.path must be a path such as /sqlqueue"));
	}

}
