package io.pgnode.plugin.wireguard;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * What the node and its plugins ({@code io.pgnode.*} loggers) log at INFO and above while open: what an operator
 * reads in the node's log. A plugin logs through the node's slf4j, so its lines land here too.
 */
final class CapturedNodeLogs implements AutoCloseable {

    private final Logger logger = (Logger) LoggerFactory.getLogger("io.pgnode");
    private final Level level = logger.getLevel();
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    CapturedNodeLogs() {
        logger.setLevel(Level.INFO); // the tests' logback config keeps the console at WARN
        appender.start();
        logger.addAppender(appender);
    }

    /** "LEVEL logger - message" of each event so far. */
    List<String> lines() {
        synchronized (appender) { // AppenderBase appends under the appender's monitor
            return appender.list.stream()
                    .map(e -> e.getLevel() + " " + e.getLoggerName() + " - " + e.getFormattedMessage())
                    .toList();
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        logger.setLevel(level);
        appender.stop();
    }
}
