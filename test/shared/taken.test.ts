import { describe, expect, it } from 'vitest'
import {
  exifDateTime,
  isTaken,
  readTaken,
  takenMoment,
  takenWords,
  yearNamed,
} from '../../src/shared/taken.js'
import { dateNamed } from '../../src/shared/taken.js'

const now = new Date(2026, 11, 6, 10, 0)
const taken = (text: string): string | undefined => {
  const read = readTaken(text, now)
  return 'taken' in read ? read.taken : undefined
}
const problem = (text: string): string | undefined => {
  const read = readTaken(text, now)
  return 'problem' in read ? read.problem : undefined
}

describe('when a photo was taken', () => {
  it('is kept as ISO 8601, as precise as it was typed', () => {
    expect(taken('1962')).toBe('1962')
    expect(taken(' 1962-7 ')).toBe('1962-07')
    expect(taken('1962-07-14')).toBe('1962-07-14')
    expect(taken('1962-7-4 9:05')).toBe('1962-07-04T09:05')
    expect(taken('1962-07-04T09:05:30')).toBe('1962-07-04T09:05:30')
    expect(taken('1964-02-29')).toBe('1964-02-29')
    expect(taken('1826')).toBe('1826')
    // Today, and this year and month, have come.
    expect(taken('2026-12-06')).toBe('2026-12-06')
    expect(taken('2026')).toBe('2026')
  })

  it('refuses what is not a day on the calendar, before photography, or still to come, saying why', () => {
    for (const text of [
      '62',
      'summer 1962',
      '1962-13',
      '1962-00',
      '1963-02-29',
      '1962-04-31',
      '1962-07-14 24:00',
      '14.07.1962',
      '',
    ])
      expect(problem(text), text).toMatch(/is not a date: give a year \(1962\), a month \(1962-07\) or a day/)
    expect(problem('1825')).toBe('1825 is before the first photograph (1826).')
    expect(problem('2026-12-07')).toBe('2026-12-07 has not come yet.')
    expect(problem('2027')).toBe('2027 has not come yet.')
  })

  it('is checked when read back from a queue or the window: only the form it is kept in passes', () => {
    expect(['1962', '1962-07', '1962-07-14', '1962-07-14T15:30', '1962-07-14T15:30:05'].every(isTaken)).toBe(
      true,
    )
    for (const value of ['1962-7', '1962-07-14 15:30', '1962-02-30', '1700', 1962, null, undefined])
      expect(isTaken(value), String(value)).toBe(false)
  })

  it('is offered from a name that says one year photos were taken in', () => {
    expect(yearNamed('Album 1962 (6 photos)', now)).toBe('1962')
    expect(yearNamed('scan_1962_03.jpg', now)).toBe('1962')
    expect(yearNamed('1962 and 1962 again', now)).toBe('1962')
    for (const name of [
      'Summer 1962–1963',
      'The 1950s',
      'IMG_20230514.jpg',
      'photo 12345.jpg',
      'Album 2999',
      'Album 1700',
      'Album',
    ])
      expect(yearNamed(name, now), name).toBeNull()
  })

  it('is read from a name as precisely as the name says it: a day or month as ISO writes them, else a year', () => {
    expect(dateNamed('Wedding 1958-06-14', now)).toBe('1958-06-14')
    expect(dateNamed('1962-07 Holiday', now)).toBe('1962-07')
    expect(dateNamed('scan_1962_03', now)).toBe('1962')
    expect(dateNamed('1958-06-14 and 1958-06-14 again', now)).toBe('1958-06-14')
    expect(dateNamed('scan 1962-07-14-2', now)).toBe('1962-07-14')
    // Not a day on the calendar, nor one to come, nor part of a longer run of digits: the year alone, or nothing.
    expect(dateNamed('Album 1962-02-30', now)).toBe('1962')
    expect(dateNamed('2027-01', now)).toBeNull()
    for (const name of ['1958-06-14 to 1958-06-21', 'IMG_20230514', '2019-2020', 'photo 3', 'No date'])
      expect(dateNamed(name, now), name).toBeNull()
  })

  it('is written as EXIF takes it, the first of what is not known, at midday', () => {
    expect(exifDateTime('1962')).toBe('1962:01:01 12:00:00')
    expect(exifDateTime('1962-07')).toBe('1962:07:01 12:00:00')
    expect(exifDateTime('1962-07-14')).toBe('1962:07:14 12:00:00')
    expect(exifDateTime('1962-07-14T09:05')).toBe('1962:07:14 09:05:00')
    expect(exifDateTime('1962-07-14T09:05:30')).toBe('1962:07:14 09:05:30')
  })

  it('keeps an album’s order: a photo’s place among those dated alike is seconds after midday, up to the day’s end', () => {
    expect(exifDateTime('1962', 1)).toBe('1962:01:01 12:00:01')
    expect(exifDateTime('1962-07', 3_725)).toBe('1962:07:01 13:02:05')
    expect(exifDateTime('1962-07-14', 100_000)).toBe('1962:07:14 23:59:59')
    // A time given is the time: the place adds nothing.
    expect(exifDateTime('1962-07-14T09:05', 7)).toBe('1962:07:14 09:05:00')
    expect(takenMoment('1962', 61).getTime() - takenMoment('1962').getTime()).toBe(61_000)
  })

  it('is a moment of local time for the file’s date', () => {
    const moment = takenMoment('1962-07')
    expect([moment.getFullYear(), moment.getMonth(), moment.getDate(), moment.getHours()]).toEqual([
      1962, 6, 1, 12,
    ])
    expect(takenMoment('1962-07-14T09:05:30').getTime()).toBe(new Date(1962, 6, 14, 9, 5, 30).getTime())
  })

  it('says itself in words, as precise as it is', () => {
    expect(takenWords('1962')).toBe('taken in 1962')
    expect(takenWords('1962-07')).toBe('taken in July 1962')
    expect(takenWords('1962-07-04')).toBe('taken on 4 July 1962')
    expect(takenWords('1962-12-04T09:05')).toBe('taken on 4 December 1962 at 09:05')
  })
})
