import React from 'react';
import { ValueGroup } from '@adminjs/design-system';
import { useTranslation, type BasePropertyProps } from 'adminjs';
import { localValue } from './local-time';

/** A date/time field on a record's page, in the company's time zone (replaces DefaultDatetimeShowProperty). */
const LocalDatetimeShow = ({ property, record }: BasePropertyProps) => {
  const { translateProperty } = useTranslation();
  return (
    <ValueGroup label={translateProperty(property.label, property.resourceId)}>
      {localValue(record?.params?.[property.path], property.type)}
    </ValueGroup>
  );
};

export default LocalDatetimeShow;
