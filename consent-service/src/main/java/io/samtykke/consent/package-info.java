/** consent-service: purposes, notices, consent records, outbox relay. */
package io.samtykke.consent;
