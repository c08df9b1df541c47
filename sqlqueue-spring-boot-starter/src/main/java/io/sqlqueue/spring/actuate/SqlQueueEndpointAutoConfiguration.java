package io.sqlqueue.spring.actuate;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import io.sqlqueue.JdbcJobQueue;
import io.sqlqueue.spring.SqlQueueAutoConfiguration;

/**
 * The {@code sqlqueue} Actuator endpoint, when Actuator is on the classpath and the endpoint is
 * exposed ({@code management.endpoints.web.exposure.include=sqlqueue}).
 */
@AutoConfiguration(after = SqlQueueAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean(JdbcJobQueue.class)
@ConditionalOnAvailableEndpoint(SqlQueueEndpoint.class)
public final class SqlQueueEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	SqlQueueEndpoint sqlQueueEndpoint(JdbcJobQueue queue) {
		return new SqlQueueEndpoint(queue);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(SqlQueueEndpoint.class)
	@ConditionalOnAvailableEndpoint(exposure = EndpointExposure.WEB)
	SqlQueueEndpointWebExtension sqlQueueEndpointWebExtension(SqlQueueEndpoint endpoint) {
		return new SqlQueueEndpointWebExtension(endpoint);
	}

}
