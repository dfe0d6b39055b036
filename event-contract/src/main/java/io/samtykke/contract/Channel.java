package io.samtykke.contract;

/** How a purpose reaches the person, or what it touches on their device. */
public enum Channel {
    EMAIL, SMS, PUSH, PHONE, IN_APP, POST, LOCATION, COOKIE, DEVICE_ID, NONE
}
