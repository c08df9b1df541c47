package io.sqlqueue.spring.dashboard;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.util.ClassUtils;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.spring.QueueStatistics;
import io.sqlqueue.spring.SqlQueueAutoConfiguration;

/**
 * The dashboard, in a servlet web application with {@code sqlqueue.dashboard.enabled=true}: pages and assets from
 * the jar under {@code sqlqueue.dashboard.path}, JSON endpoints under its {@code /api}.
 */
@AutoConfiguration(after = SqlQueueAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(WebMvcConfigurer.class)
@ConditionalOnBooleanProperty("sqlqueue.dashboard.enabled")
@ConditionalOnBean({ JdbcJobQueue.class, QueueStatistics.class })
@EnableConfigurationProperties(DashboardProperties.class)
@Import({ DashboardReads.class, DashboardActions.class, DashboardJobs.class, DashboardCluster.class,
		DashboardGroups.class, DashboardErrors.class, DashboardDeadLetter.class })
public final class DashboardAutoConfiguration {

	/** Where the chart library's files are in its WebJar. */
	static final String UPLOT_LOCATION = "classpath:/META-INF/resources/webjars/uplot/1.6.30/dist/";

	/** Where the dashboard's own files are in the starter's jar. */
	static final String ASSETS_LOCATION = "classpath:/META-INF/sqlqueue/dashboard/";

	private static final Log logger = LogFactory.getLog(DashboardAutoConfiguration.class);

	static final String SECURITY_CLASS = "org.springframework.security.web.SecurityFilterChain";

	@Bean
	@ConditionalOnMissingBean
	DashboardThroughput sqlQueueDashboardThroughput(JdbcJobQueue jobs, QueueStatistics statistics) {
		DashboardThroughput throughput = new DashboardThroughput(jobs);
		// counted on the sampler's schedule, never per page view
		statistics.subscribe((sample) -> throughput.count());
		return throughput;
	}

	@Bean
	@ConditionalOnMissingBean
	DashboardAccess sqlQueueDashboardAccess(DashboardProperties properties) {
		if (ClassUtils.isPresent(SECURITY_CLASS, DashboardAutoConfiguration.class.getClassLoader())) {
			// The application's filter chain decides who reaches the dashboard; whoever does may act.
			return (request, action) -> true;
		}
		if (properties.isAllowUnsecuredActions() && !properties.isReadOnly()) {
			logger.warn("The sqlqueue dashboard at " + properties.getPath() + " is open: without Spring Security "
					+ "anyone who reaches it can pause queues and retry, cancel or kill jobs "
					+ "(sqlqueue.dashboard.allow-unsecured-actions=true)");
			return (request, action) -> true;
		}
		return (request, action) -> false;
	}

	@Bean
	DashboardRequests sqlQueueDashboardRequests(DashboardProperties properties, DashboardAccess access,
			QueueStatistics statistics) {
		// The dashboard shows the shared sample: subscribing makes the statistics sample on their schedule.
		statistics.subscribe((sample) -> {
		});
		return new DashboardRequests(properties, access);
	}

	@Bean
	FilterRegistrationBean<DashboardHeadersFilter> sqlQueueDashboardHeadersFilter(DashboardProperties properties) {
		FilterRegistrationBean<DashboardHeadersFilter> registration = new FilterRegistrationBean<>(
				new DashboardHeadersFilter(properties.getPath()));
		registration.addUrlPatterns(properties.getPath(), properties.getPath() + "/*");
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 100);
		return registration;
	}

	@Bean
	WebMvcConfigurer sqlQueueDashboardResources(DashboardProperties properties) {
		String path = properties.getPath();
		return new WebMvcConfigurer() {

			@Override
			public void addResourceHandlers(ResourceHandlerRegistry registry) {
				registry.addResourceHandler(path + "/vendor/uplot/**").addResourceLocations(UPLOT_LOCATION);
				registry.addResourceHandler(path + "/assets/**").addResourceLocations(ASSETS_LOCATION);
			}

			@Override
			public void addViewControllers(ViewControllerRegistry registry) {
				// The page's relative links (assets/..., api/...) need the trailing slash.
				registry.addRedirectViewController(path, path + "/");
				registry.addViewController(path + "/").setViewName("forward:" + path + "/assets/index.html");
			}

		};
	}

}
