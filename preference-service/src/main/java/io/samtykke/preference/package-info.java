/** preference-service: preferences, consent projection, decisions, opt-out delivery. */
package io.samtykke.preference;
