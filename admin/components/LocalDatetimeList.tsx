import React from 'react';
import type { BasePropertyProps } from 'adminjs';
import { localValue } from './local-time';

/** A date/time cell in a list, in the company's time zone (replaces AdminJS's DefaultDatetimeListProperty). */
const LocalDatetimeList = ({ property, record }: BasePropertyProps) => (
  <span>{localValue(record?.params?.[property.path], property.type)}</span>
);

export default LocalDatetimeList;
